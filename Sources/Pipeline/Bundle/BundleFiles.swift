import Datasets
import JSONDocuments
import YAMLDecoding
import Foundation

/// The file operations a bundle needs, each one atomic where the filesystem allows:
/// files are written beside their final name and renamed over it.
enum BundleFiles {
    /// Writes `text` to `path` atomically (temporary file in the same folder, then rename).
    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw BundleError(inputOutput: "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Writes `bytes` to `path` atomically, as ``write(_:to:)`` (binary files: weights).
    static func write(bytes: [UInt8], to path: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw BundleError(inputOutput: "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Creates `path` and its parents.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw BundleError(inputOutput: "cannot create folder \(path): \(error.localizedDescription)")
        }
    }

    /// Creates `path` only if nothing exists there (mkdir(2) is exclusive); false if it existed.
    static func makeDirectoryExclusively(_ path: String) throws -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw BundleError(inputOutput: "cannot create folder \(path): \(String(cString: strerror(errno)))")
    }

    /// Renames `source` to `destination` (atomic on one filesystem); refuses to replace an existing bundle.
    static func rename(_ source: String, to destination: String) throws {
        if FileManager.default.fileExists(atPath: destination) {
            throw BundleError("cannot rename \(source) to \(destination): destination exists")
        }
        guard Foundation.rename(source, destination) == 0 else {
            throw BundleError(inputOutput: "cannot rename \(source) to \(destination): \(String(cString: strerror(errno)))")
        }
    }

    /// Points the symlink `link` at `target` (a relative name), replacing it atomically.
    static func pointLink(_ link: String, at target: String) throws {
        let temporary = link + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard symlink(target, temporary) == 0 else {
            throw BundleError(inputOutput: "cannot create link \(temporary): \(String(cString: strerror(errno)))")
        }
        guard Foundation.rename(temporary, link) == 0 else {
            unlink(temporary)
            throw BundleError(inputOutput: "cannot update link \(link): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads a UTF-8 file (a regular file only; see `InputFile`).
    static func read(_ path: String) throws -> String {
        let data: Data
        do throws(InputFileError) {
            data = try InputFile.read(path)
        } catch {
            throw BundleError("cannot read \(error)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BundleError("cannot read \(path): not UTF-8 text")
        }
        return text
    }

    /// Reads and parses a JSON file.
    static func readJSON(_ path: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(read(path))
        } catch let error as JSONSyntaxError {
            throw BundleError("\(path): \(error)")
        }
    }
}

/// A problem with a results folder or bundle: unwritable, missing, or not a bundle.
public struct BundleError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the path.
    public var message: String
    /// Whether the filesystem failed (unwritable, full disk: exit 3) rather than the bundle
    /// or the request being wrong (exit 2).
    public var isInputOutputFailure = false
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// An error of the filesystem itself (writing, creating, renaming).
    public init(inputOutput message: String) {
        self.message = message
        isInputOutputFailure = true
    }
    /// The message.
    public var description: String { message }
}
