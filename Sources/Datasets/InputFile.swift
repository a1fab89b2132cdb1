import Foundation

/// The one way input files (CSV and NIST data files, manifests, bundle files) are read.
///
/// Hostile input: only regular files are read. The type is checked with `stat` first and again
/// on the open descriptor (`fstat`), and the file is opened with `O_NONBLOCK`, so a FIFO never
/// blocks, a device such as `/dev/zero` is never read, and a directory or a symlink loop gets a
/// message saying what it is. Files over ``maximumBytes`` are refused before reading.
public enum InputFile {
    /// Largest input file read, in bytes (256 MiB); a data file or manifest is far smaller.
    public static let maximumBytes = 256 << 20

    /// The bytes of the regular file at `path`.
    ///
    /// - Throws: ``InputFileError`` saying what the path is when it is not a readable regular
    ///   file of at most ``maximumBytes`` bytes.
    public static func read(_ path: String) throws(InputFileError) -> Data {
        var status = stat()
        guard stat(path, &status) == 0 else { throw InputFileError(path: path, reason: reason(errno: errno)) }
        try checkRegular(status, path: path)
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw InputFileError(path: path, reason: reason(errno: errno)) }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0 else { throw InputFileError(path: path, reason: reason(errno: errno)) }
        try checkRegular(status, path: path)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputFileError(path: path, reason: reason(errno: errno))
            }
            if count == 0 { return data }
            guard data.count + count <= maximumBytes else { throw tooLarge(path) }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    private static func tooLarge(_ path: String) -> InputFileError {
        InputFileError(path: path, reason: "is larger than \(maximumBytes >> 20) MiB, the most Jacobench reads from an input file")
    }

    private static func checkRegular(_ status: stat, path: String) throws(InputFileError) {
        let type = status.st_mode & S_IFMT
        guard type == S_IFREG else { throw InputFileError(path: path, reason: "is \(describe(type)), not a regular file") }
        guard Int(status.st_size) <= maximumBytes else { throw tooLarge(path) }
    }

    /// What a file of type `type` (the `S_IFMT` bits) is, in words.
    static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }

    private static func reason(errno code: Int32) -> String {
        switch code {
        case ELOOP: "is a symbolic link loop (too many levels of symbolic links)"
        case ENOENT: "does not exist"
        case EACCES: "cannot be read (permission denied)"
        case ENOTDIR: "has a part of its path that is not a folder"
        default: "cannot be read: \(String(cString: strerror(code)))"
        }
    }
}

/// An input path that is not a readable regular file of acceptable size.
///
/// Description: `data/x.csv: is a FIFO (named pipe), not a regular file`.
public struct InputFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The path as given.
    public var path: String
    /// What it is or why it cannot be read, phrased to follow the path.
    public var reason: String

    /// Creates the error.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: reason`.
    public var description: String { "\(path): \(reason)" }
}
