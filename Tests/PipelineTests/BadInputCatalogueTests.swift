import Foundation
import Testing
@testable import Pipeline

/// The bad-input catalogue in Tests/Fixtures/bad-inputs: every manifest there is malformed
/// itself or names a malformed CSV, NIST file or formula. `expected.tsv` lists, per manifest,
/// the substring its error must contain (file:line:column and the field where known), with
/// the catalogue's folder stripped from paths.
@Suite struct BadInputCatalogueTests {
    static let folder = BuiltBinary.packageRoot + "/Tests/Fixtures/bad-inputs"

    /// (manifest file name, expected substring) rows of expected.tsv.
    static let entries: [BadInputEntry] = {
        let text = (try? String(contentsOfFile: folder + "/expected.tsv", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard fields.count == 2 else { return nil }
            return BadInputEntry(manifest: fields[0], expected: fields[1])
        }
    }()

    @Test func catalogueHasAtLeastFortyEntriesAndEveryManifestIsListed() throws {
        #expect(Self.entries.count >= 40)
        let manifests = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".yaml") }
        #expect(Set(manifests) == Set(Self.entries.map(\.manifest)))
    }

    /// Each is rejected by the CLI's own entry point before any case runs, with the message.
    @Test(arguments: entries) func rejectedWithMessage(_ entry: BadInputEntry) throws {
        let path = Self.folder + "/" + entry.manifest
        do {
            _ = try ExperimentPlan.load(path: path, registry: .standard)
            Issue.record("\(entry.manifest) was accepted")
        } catch {
            let message = "\(error)".replacingOccurrences(of: Self.folder + "/", with: "")
            #expect(message.contains(entry.expected), "\(entry.manifest): \(message)")
        }
    }
}

/// One catalogue row.
struct BadInputEntry: Sendable, CustomTestStringConvertible {
    var manifest: String
    var expected: String
    var testDescription: String { manifest }
}

/// The built binary exits 2 on every catalogue manifest and writes no bundle.
@Suite(.enabled(if: BuiltBinary.exists, "needs .build/debug/jacobench"))
struct BadInputExitCodeTests {
    @Test(arguments: BadInputCatalogueTests.entries) func runExitsTwoWithTheMessage(_ entry: BadInputEntry) throws {
        let results = try temporaryDirectory() + "/results"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = ["run", entry.manifest, "--results", results]
        process.currentDirectoryURL = URL(fileURLWithPath: BadInputCatalogueTests.folder)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .replacingOccurrences(of: BadInputCatalogueTests.folder + "/", with: "")
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 2, "\(entry.manifest): \(text)")
        #expect(text.contains(entry.expected), "\(entry.manifest): \(text)")
        #expect(!FileManager.default.fileExists(atPath: results), "\(entry.manifest) left a results folder")
    }
}
