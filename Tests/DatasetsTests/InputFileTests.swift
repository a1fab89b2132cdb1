import Foundation
import Testing
@testable import Datasets

/// Non-regular files as inputs: each refused with a message saying what it is, never read or
/// waited on (a FIFO with no writer would block a plain open forever).
struct InputFileTests {
    private func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "input-file-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aFIFOIsNamedAndNotOpenedForReading() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/data.csv"
        #expect(mkfifo(fifo, 0o600) == 0)
        let error = try #require(throws: DataFileError.self) {
            try CSVDataSource(inputColumns: ["x"], targetColumns: ["y"]).load(contentsOf: fifo)
        }
        #expect(error.description == "\(fifo): cannot read the file: it is a FIFO (named pipe), not a regular file")
    }

    @Test func aDirectoryIsNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = try #require(throws: NISTFormatError.self) { try NISTProblem.load(contentsOf: folder) }
        #expect(error.description.contains("is a directory, not a regular file"))
        #expect(error.description.contains(folder))
    }

    @Test func devZeroIsNotRead() throws {
        let error = try #require(throws: DataFileError.self) {
            try CSVDataSource(inputColumns: ["x"], targetColumns: ["y"]).load(contentsOf: "/dev/zero")
        }
        #expect(error.description == "/dev/zero: cannot read the file: it is a character device, not a regular file")
    }

    @Test func aSymlinkLoopIsNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(symlink(folder + "/b", folder + "/a") == 0)
        #expect(symlink(folder + "/a", folder + "/b") == 0)
        let error = try #require(throws: InputFileError.self) { try InputFile.read(folder + "/a") }
        #expect(error.reason.contains("symbolic link loop"))
    }

    @Test func aMissingFileIsNamed() throws {
        let error = try #require(throws: InputFileError.self) { try InputFile.read("/nonexistent/x.csv") }
        #expect(error.description == "/nonexistent/x.csv: does not exist")
    }

    @Test func aRegularFileIsReadWhole() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        try bytes.write(to: URL(fileURLWithPath: folder + "/f"))
        #expect(try InputFile.read(folder + "/f") == bytes)
    }
}
