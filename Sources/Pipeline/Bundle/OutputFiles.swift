import Foundation

/// Every file the tool writes outside a bundle's own writer goes through here (a bundle's
/// files through ``ResultBundleWriter``), with the same rules: atomic writes (temporary file
/// then rename), folders created with their parents, filesystem failures as
/// ``BundleError/isInputOutputFailure`` (exit 3). Stages never open files for writing.
public enum OutputFiles {
    /// Writes `text` to `path` atomically, creating its folder.
    public static func write(_ text: String, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try BundleFiles.makeDirectory(folder) }
        try BundleFiles.write(text, to: path)
    }

    /// A new private scratch folder under the system's temporary folder (mode 0700), for
    /// files handed to a child process; the caller removes it with ``remove(_:)``.
    public static func scratchFolder(prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/\(prefix)-\(UUID().uuidString)"
        guard mkdir(path, 0o700) == 0 else {
            throw BundleError(inputOutput: "cannot create folder \(path): \(String(cString: strerror(errno)))")
        }
        return path
    }

    /// An empty file at `path` opened for writing (a child process's stdout or stderr).
    public static func emptyFileForWriting(_ path: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw BundleError(inputOutput: "cannot create \(path)")
        }
        return handle
    }

    /// Removes a scratch folder and everything in it (best effort).
    public static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
