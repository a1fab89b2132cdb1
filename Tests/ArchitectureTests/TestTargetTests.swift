import Foundation
import Testing

/// Test targets mirror modules: every library module has a `Tests/<Module>Tests` folder (those
/// without one are listed with where they are tested), every such folder names a module, and a
/// module's internals (`@testable import`) are reached only from its own test target.
@Suite struct TestTargetTests {
    /// Library modules without a test target of their own, with where they are tested.
    static let testedElsewhere: [String: String] = [
        "MessageText": "QuotedText is checked where its messages are shown (DatasetsTests/DisclosureTests)",
        "JacobenchCLI": "the executable is run as a child process (PipelineTests/CommandLineTests)",
    ]

    static let tests: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// The `…Tests` folders under Tests, without the suffix.
    static func testedModules() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: tests.path).filter { $0.hasSuffix("Tests") }.map { String($0.dropLast(5)) })
    }

    @Test func everyLibraryModuleHasItsTestTarget() throws {
        let modules = Set(ModuleImportTests.allowed.keys)
        let tested = try Self.testedModules()
        #expect(tested.count >= 11, "\(tested.sorted())")
        let missing = modules.subtracting(tested).subtracting(Self.testedElsewhere.keys)
        #expect(missing.isEmpty, "modules without Tests/<Module>Tests: \(missing.sorted())")
        let strays = tested.subtracting(modules).subtracting(["Architecture"])
        #expect(strays.isEmpty, "test targets that name no module: \(strays.sorted())")
        #expect(Set(Self.testedElsewhere.keys).isDisjoint(with: tested), "listed as tested elsewhere but has a target")
    }

    @Test func internalsAreTestedOnlyByTheirOwnTarget() throws {
        let tested = try Self.testedModules()
        var checked = 0
        for module in tested.sorted() {
            let folder = Self.tests.appendingPathComponent(module + "Tests")
            guard let files = FileManager.default.enumerator(atPath: folder.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                checked += 1
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("@testable import ") {
                    let imported = line.dropFirst("@testable import ".count).trimmingCharacters(in: .whitespaces)
                    #expect(imported == module, "\(module)Tests/\(file) reaches into \(imported)'s internals")
                }
            }
        }
        #expect(checked > 100)
    }
}
