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

/// The built binary exits 2 on every catalogue manifest, quickly and in bounded memory (the
/// child's peak resident set, from wait4), and writes no bundle.
@Suite
struct BadInputExitCodeTests {
    /// Peak memory any rejected input may take: far below what any size in the catalogue
    /// would need if it were built (the largest asks for petabytes).
    static let maximumResidentKiB = 256 * 1024

    @Test(arguments: BadInputCatalogueTests.entries) func runExitsTwoWithTheMessage(_ entry: BadInputEntry) throws {
        let results = try temporaryDirectory() + "/results"
        let child = try ChildProcess.run(["run", BadInputCatalogueTests.folder + "/" + entry.manifest, "--results", results])
        let text = child.stderr.replacingOccurrences(of: BadInputCatalogueTests.folder + "/", with: "")
        #expect(!child.hung, "\(entry.manifest) hung")
        #expect(child.status == 2, "\(entry.manifest): \(text)")
        #expect(text.contains(entry.expected), "\(entry.manifest): \(text)")
        #expect(child.maximumResidentKiB < Self.maximumResidentKiB, "\(entry.manifest): peak \(child.maximumResidentKiB) KiB")
        #expect(!FileManager.default.fileExists(atPath: results), "\(entry.manifest) left a results folder")
    }
}

/// The catalogue by class: every class of hostile input has entries, 80 or more in all.
@Suite struct BadInputClassTests {
    /// Manifest-name prefix → class.
    static let classes: [Character: String] = [
        "c": "CSV files", "f": "formulas", "m": "manifests (YAML, types, keys, NaN)", "n": "NIST files",
        "p": "paths, programs, numbers, zero sizes", "s": "sizes, overflow, memory budget, sweep explosion",
        "d": "recursion depth (YAML, formulas)", "x": "non-regular files (directories, devices, symlink loops)",
    ]

    @Test func everyClassHasEntriesAndTheCatalogueHasEightyOrMore() {
        var counts: [String: Int] = [:]
        for entry in BadInputCatalogueTests.entries {
            let name = Self.classes[entry.manifest.first ?? " "]
            #expect(name != nil, "\(entry.manifest) has no class prefix")
            if let name { counts[name, default: 0] += 1 }
        }
        #expect(Set(counts.keys) == Set(Self.classes.values))
        #expect(counts.values.allSatisfy { $0 >= 5 }, "\(counts)")
        #expect(BadInputCatalogueTests.entries.count >= 80)
    }
}
