import Foundation
import JSONDocuments
import Testing
@testable import Pipeline

/// environment.json records the commit the binary was built from (`BuildStamp`), apart from
/// the checkout's commit when the run starts.
@Suite struct EnvironmentRecordTests {
    static let hash = "0123456789abcdef0123456789abcdef01234567"

    @Test func theRecordCarriesTheBuildStampsValues() {
        let dirty = EnvironmentRecord.capture(projectDirectory: nil, build: BuildStamp(commit: Self.hash, dirty: true), threads: nil)
        #expect(dirty["build_commit"] == .string(Self.hash))
        #expect(dirty["build_dirty"] == .bool(true))
        #expect(dirty["commit"] == .null, "no checkout asked")
        let clean = EnvironmentRecord.capture(projectDirectory: nil, build: BuildStamp(commit: Self.hash, dirty: false), threads: nil)
        #expect(clean["build_dirty"] == .bool(false))
        // Unknown is recorded as null, never left out or taken from the checkout.
        let unknown = EnvironmentRecord.capture(projectDirectory: nil, build: BuildStamp(commit: nil, dirty: nil), threads: nil)
        #expect(unknown["build_commit"] == .null && unknown["build_dirty"] == .null)
        #expect(EnvironmentRecord.buildCommitText(of: dirty) == Self.hash + " (dirty)")
        #expect(EnvironmentRecord.buildCommitText(of: unknown) == nil)
        #expect(EnvironmentRecord.buildCommitText(of: .object(["commit": .string(Self.hash)])) == Self.hash, "records before build stamps")
    }

    @Test func byDefaultTheRecordIsOfThisBinarysStamp() {
        let record = EnvironmentRecord.capture(projectDirectory: nil, threads: nil)
        #expect(record["build_commit"] == (BuildStamp.current.commit.map(JSONValue.string) ?? .null))
        #expect(record["build_dirty"] == (BuildStamp.current.dirty.map(JSONValue.bool) ?? .null))
        // What the build wrote is a full commit id (this package is built from a checkout) or unknown.
        let commit = BuildStamp.current.commit ?? ""
        let isCommitID = commit.count == 40 && commit.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        #expect(BuildStamp.current.commit == nil || isCommitID, "\(commit)")
    }

    @Test func theShortDescriptionNamesTwelveDigitsAndTheFlag() {
        #expect(BuildStamp(commit: Self.hash, dirty: true).shortDescription == "0123456789ab (dirty)")
        #expect(BuildStamp(commit: Self.hash, dirty: false).shortDescription == "0123456789ab")
        #expect(BuildStamp(commit: nil, dirty: nil).shortDescription == "unknown")
    }
}

/// scripts/build-stamp.sh, which the BuildStamp plugin runs before every build, on a
/// throw-away repository: the commit and dirty flag it writes, and no rewrite when nothing changed.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "needs git"))
struct BuildStampScriptTests {
    static let script = BuiltBinary.packageRoot + "/scripts/build-stamp.sh"

    @discardableResult
    func run(_ executable: String, _ arguments: [String], in folder: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(executable) \(arguments)")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func git(_ arguments: [String], in folder: String) throws -> String {
        try run("/usr/bin/git", ["-c", "user.email=a@b", "-c", "user.name=a"] + arguments, in: folder)
    }

    /// Runs the script on `checkout` into `output`; the generated text and the file's inode.
    func stamp(_ checkout: String, into output: String) throws -> (text: String, inode: Int) {
        try run("/bin/sh", [Self.script, checkout, output], in: checkout)
        let file = output + "/BuildStamp+Generated.swift"
        let inode = try FileManager.default.attributesOfItem(atPath: file)[.systemFileNumber] as? Int ?? -1
        return (try String(contentsOfFile: file, encoding: .utf8), inode)
    }

    @Test func theStampIsTheCheckoutsCommitAndWhetherTrackedFilesChanged() throws {
        let checkout = try temporaryDirectory(), output = try temporaryDirectory() + "/generated"
        _ = try git(["init", "-q", "."], in: checkout)
        try "one\n".write(toFile: checkout + "/tracked.txt", atomically: true, encoding: .utf8)
        _ = try git(["add", "tracked.txt"], in: checkout)
        _ = try git(["commit", "-q", "-m", "x"], in: checkout)
        let head = try git(["rev-parse", "HEAD"], in: checkout)

        let clean = try stamp(checkout, into: output)
        #expect(clean.text.contains("public static let current = BuildStamp(commit: \"\(head)\", dirty: false)"), "\(clean.text)")
        // Nothing changed: the file is left as it was (the build recompiles nothing).
        #expect(try stamp(checkout, into: output).inode == clean.inode)
        // An untracked file is not a change of the build's sources' commit.
        try "scratch\n".write(toFile: checkout + "/untracked.txt", atomically: true, encoding: .utf8)
        #expect(try stamp(checkout, into: output).inode == clean.inode)

        try "two\n".write(toFile: checkout + "/tracked.txt", atomically: true, encoding: .utf8)
        let dirty = try stamp(checkout, into: output)
        #expect(dirty.text.contains("BuildStamp(commit: \"\(head)\", dirty: true)"), "\(dirty.text)")
    }

    @Test func outsideACheckoutTheStampIsUnknown() throws {
        let folder = try temporaryDirectory(), output = try temporaryDirectory() + "/generated"
        let stamped = try stamp(folder, into: output)
        #expect(stamped.text.contains("public static let current = BuildStamp(commit: nil, dirty: nil)"), "\(stamped.text)")
    }
}
