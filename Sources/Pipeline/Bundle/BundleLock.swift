import Foundation

/// An advisory lock (flock(2)) on one bundle, held while `--resume` rewrites it, so two
/// resumes of one bundle never both write: the second is refused. The kernel releases it
/// when the holder exits or is killed. The lock file is `.resume.lock` inside the bundle
/// being resumed; the finished resume replaces that folder, lock file and all.
public final class BundleLock {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    /// Takes the lock of the bundle folder `bundlePath`, or throws when another process holds it.
    public init(bundlePath: String) throws {
        path = bundlePath + "/.resume.lock"
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw BundleError(inputOutput: "cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another jacobench is resuming this bundle (it holds \(path))"
                : "cannot lock \(path): \(String(cString: strerror(errno)))"
            close(descriptor)
            throw BundleError(reason)
        }
    }

    deinit {
        close(descriptor)
    }
}
