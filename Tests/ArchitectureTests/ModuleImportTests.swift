import Foundation
import Testing

/// The layering of docs/ARCHITECTURE.md, read from the sources: every module's `import` lines
/// may name only the project modules listed for it here (system and package modules are not
/// checked). A new import of a forbidden layer fails this test.
@Suite struct ModuleImportTests {
    /// Project modules each module may import. Lower layers first.
    static let allowed: [String: Set<String>] = [
        "LinearAlgebra": ["CBLASLapack"],
        "JSONDocuments": [],
        "MessageText": [],
        "YAMLDecoding": ["CYAML", "JSONDocuments", "MessageText"],
        "Reports": [],
        // Strategies know maps by capability only: no model, no solver.
        "Jacobians": ["LinearAlgebra", "CNumericKernels", "MessageText"],
        // Models: no strategy internals, no solver, no pipeline.
        "NeuralNetworks": ["LinearAlgebra", "Jacobians", "CBLASLapack", "CNumericKernels"],
        "FormulaModels": ["LinearAlgebra", "Jacobians", "MessageText"],
        "Datasets": ["LinearAlgebra", "Jacobians", "FormulaModels", "NeuralNetworks", "MessageText", "JSONDocuments"],
        // Solvers: no model and no pipeline (fast paths through capability protocols), and
        // no LAPACK of their own (LinearAlgebra's kernels).
        "Solvers": ["LinearAlgebra", "Jacobians"],
        "Pipeline": [
            "LinearAlgebra", "Jacobians", "NeuralNetworks", "FormulaModels", "Datasets", "Solvers", "Reports",
            "JSONDocuments", "YAMLDecoding", "CBLASLapack", "MessageText",
        ],
        // The CLI parses and prints; it reads Jacobians only for the shared vocabulary
        // (`JacobianVariables` as `advise --with-respect-to`).
        "JacobenchCLI": ["Pipeline", "JSONDocuments", "YAMLDecoding", "LinearAlgebra", "Jacobians"],
    ]

    static let sources: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// The project's own modules: the folders under Sources.
    static func projectModules() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: sources.path))
    }

    /// Every Swift file under `module`'s folder with the modules it imports.
    static func imports(of module: String) throws -> [String: Set<String>] {
        let folder = sources.appendingPathComponent(module)
        guard let files = FileManager.default.enumerator(atPath: folder.path) else { return [:] }
        var result: [String: Set<String>] = [:]
        for case let file as String in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            result[file, default: []] = []
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
                guard words.count >= 2, words[0] == "import" else { continue }
                result[file, default: []].insert(String(words[1]))
            }
        }
        return result
    }

    @Test(arguments: allowed.keys.sorted())
    func importsOnlyAllowedProjectModules(_ module: String) throws {
        let project = try Self.projectModules()
        let files = try Self.imports(of: module)
        #expect(!files.isEmpty, "\(module) has Swift files")
        let allowed = Self.allowed[module] ?? []
        for (file, modules) in files.sorted(by: { $0.key < $1.key }) {
            let forbidden = modules.intersection(project).subtracting(allowed).subtracting([module])
            #expect(forbidden.isEmpty, "\(module)/\(file) imports \(forbidden.sorted())")
        }
    }

    /// Every library module is covered by the table (a new module needs its row).
    @Test func everyLibraryModuleHasARule() throws {
        let executablesAndShims: Set<String> = ["CBLASLapack", "CNumericKernels", "CYAML", "Jacobench", "JacobianBenchmark", "AllocationProbe"]
        #expect(try Self.projectModules().subtracting(executablesAndShims) == Set(Self.allowed.keys))
    }
}
