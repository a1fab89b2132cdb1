import Foundation
import Testing
@testable import Pipeline

/// A function-data case that runs in well under a second.
private let quickFunctionManifest = """
    name: quick
    data: {kind: function, formula: "y = sin(x1)", axes: [{name: x1, lower: 0, upper: 1}], samples: 8}
    model: {kind: mlp, layers: [1, 3, 1]}
    solver: {kind: levenberg-marquardt, max-iterations: 5}
    evaluation: [{kind: fit}]
    """

/// Every path under `root` (relative, hidden files included), for before/after comparisons.
func treeSnapshot(_ root: String) -> Set<String> {
    Set((FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? [])
}

/// `ResultsFolder`: where a bundle may be written.
@Suite struct ResultsFolderTests {
    @Test func emptyPathIsRefused() {
        for path in ["", "  ", "\n"] {
            #expect(throws: BundleError.self) { try ResultsFolder.check(path) }
        }
    }

    @Test func aPathInsideABundleIsRefusedAndOneBesideItIsNot() throws {
        let root = try temporaryDirectory()
        for marker in ResultsFolder.bundleMarkers {
            let bundle = root + "/results/e/" + marker.replacingOccurrences(of: ".json", with: "")
            try FileManager.default.createDirectory(atPath: bundle + "/cases", withIntermediateDirectories: true)
            try "{}".write(toFile: bundle + "/" + marker, atomically: true, encoding: .utf8)
            for inside in [bundle, bundle + "/cases", bundle + "/cases/new/deeper", bundle + "/cases/../cases"] {
                do {
                    try ResultsFolder.check(inside)
                    Issue.record("\(inside) was accepted")
                } catch let error as BundleError {
                    #expect(error.message.contains(bundle) && error.message.contains(marker), "\(error.message)")
                }
            }
        }
        try ResultsFolder.check(root + "/results")
        try ResultsFolder.check(root + "/elsewhere/new")
        // A symbolic link into a bundle is followed.
        let bundle = root + "/results/e/status"
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: bundle + "/cases")
        #expect(throws: BundleError.self) { try ResultsFolder.check(root + "/link") }
        #expect(throws: BundleError.self) { try ResultsFolder.check(root + "/link/new/deeper") }
    }

    @Test func theRunnerWritesNothingForAnEmptyResultsFolder() throws {
        let folder = try temporaryDirectory()
        let plan = try ExperimentPlan.plan(text: quickFunctionManifest, path: folder + "/quick.yaml", registry: .standard)
        let before = treeSnapshot(folder)
        #expect(throws: BundleError.self) { _ = try ExperimentRunner(plan: plan).run(resultsDirectory: "") }
        #expect(treeSnapshot(folder) == before)
    }
}

/// Zero sizes that only the data reveals fail their case with the reason instead of trapping.
@Suite struct ZeroSizeCaseTests {
    @Test(arguments: ["[]", "[1, 2, 3]"]) func initialValuesThatDoNotFitTheNISTFormulaFailTheCase(_ initial: String) throws {
        let folder = try temporaryDirectory()
        let manifest = """
            name: nist-initial
            data: {kind: nist, file: \(BuiltBinary.packageRoot)/Tests/Fixtures/nist/Misra1a.dat}
            model: {kind: formula, initial: \(initial)}
            evaluation: [fit]
            """
        let plan = try ExperimentPlan.plan(text: manifest, path: folder + "/m.yaml", registry: .standard)
        let outcome = try ExperimentRunner(plan: plan).run(resultsDirectory: folder + "/results")
        #expect(outcome.records.map(\.status) == [.failed])
        let error = try #require(outcome.records.first?.error)
        #expect(error.contains("initial values for 2 parameters (b1, b2)"), "\(error)")
    }
}

/// `max-iterations: 0` through the pipeline: every solver stage returns the start, unconverged.
@Suite struct NoStepFitTests {
    @Test(arguments: ["levenberg-marquardt", "gauss-newton", "lbfgs", "adam", "gradient-descent"])
    func zeroIterationsKeepTheStartingParameters(_ solver: String) throws {
        let folder = try temporaryDirectory()
        let manifest = quickFunctionManifest.replacingOccurrences(
            of: "solver: {kind: levenberg-marquardt, max-iterations: 5}", with: "solver: {kind: \(solver), max-iterations: 0}")
        let plan = try ExperimentPlan.plan(text: manifest, path: folder + "/m.yaml", registry: .standard)
        let outcome = try ExperimentRunner(plan: plan).run(resultsDirectory: folder + "/results")
        let record = try #require(outcome.records.first)
        #expect(record.status == .ok, "\(record.error ?? "")")
        let fit = try #require(record.fit)
        #expect(fit.status == "max-iterations")
        #expect(fit.iterations == 0)
        #expect(fit.parameters == record.initialParameters)
    }
}

/// `PeerProgramPolicy`: the only programs a peer-comparison may start.
@Suite struct PeerProgramPolicyTests {
    /// A fake project folder with the peers' venv Python and script.
    func project(withPython: Bool = true) throws -> String {
        let root = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/.peers-venv/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/peers", withIntermediateDirectories: true)
        try "print()".write(toFile: root + "/peers/peer_benchmark.py", atomically: true, encoding: .utf8)
        if withPython {
            try "#!/bin/sh\n".write(toFile: root + "/.peers-venv/bin/python", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/.peers-venv/bin/python")
        }
        return root
    }

    @Test func theProjectsOwnScriptAndPythonRunByDefault() throws {
        let root = try project()
        let policy = PeerProgramPolicy(projectRoot: root)
        #expect(policy.decide(python: PeerProgramPolicy.defaultPython, script: PeerProgramPolicy.defaultScript)
            == .runs(python: root + "/.peers-venv/bin/python", script: root + "/peers/peer_benchmark.py"))
        // The same files named absolutely, or through `..` inside the project, are the same programs.
        #expect(policy.decide(python: root + "/.peers-venv/bin/python", script: "peers/../peers/peer_benchmark.py")
            == .runs(python: root + "/.peers-venv/bin/python", script: root + "/peers/peer_benchmark.py"))
    }

    @Test func anotherProgramIsRefusedUnlessAllowed() throws {
        let root = try project()
        let policy = PeerProgramPolicy(projectRoot: root)
        guard case .refused(let field, let reason) = policy.decide(python: "/bin/sh", script: PeerProgramPolicy.defaultScript) else {
            Issue.record("/bin/sh was not refused")
            return
        }
        #expect(field == "python")
        #expect(reason.contains("--allow-program /bin/sh"), "\(reason)")
        guard case .refused(let scriptField, _) = policy.decide(python: PeerProgramPolicy.defaultPython, script: "../evil.py") else {
            Issue.record("a script outside the project was not refused")
            return
        }
        #expect(scriptField == "script")

        let allowed = PeerProgramPolicy(projectRoot: root, allowedPrograms: ["/bin/sh", root + "/../evil.py"])
        let evil = URL(fileURLWithPath: root + "/../evil.py").standardizedFileURL.path
        try "".write(toFile: evil, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: evil) }
        #expect(allowed.decide(python: "/bin/sh", script: "../evil.py") == .runs(python: "/bin/sh", script: evil))
    }

    @Test func missingFilesOrProjectSkipInsteadOfRunning() throws {
        let root = try project(withPython: false)
        guard case .skipped(let reason) = PeerProgramPolicy(projectRoot: root).decide(
            python: PeerProgramPolicy.defaultPython, script: PeerProgramPolicy.defaultScript) else {
            Issue.record("a missing venv did not skip")
            return
        }
        #expect(reason.contains("make peers"))
        guard case .skipped = PeerProgramPolicy(projectRoot: nil).decide(
            python: PeerProgramPolicy.defaultPython, script: PeerProgramPolicy.defaultScript) else {
            Issue.record("no project folder did not skip")
            return
        }
    }

    @Test func thisCheckoutIsTheProjectOfTheTestProcess() {
        #expect(PeerProgramPolicy.locateProjectRoot() == BuiltBinary.packageRoot)
    }
}

/// The built binary: results folders, programs named by manifests, and a sandbox check that
/// a run creates nothing outside its results folder.
@Suite(.serialized)
struct HostileInputCommandLineTests {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    func run(_ arguments: [String], in directory: String, environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = environment }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self), stderr: String(decoding: errorData, as: UTF8.self))
    }

    @Test func emptyResultsAndResultsInsideABundleExitTwoWritingNothing() throws {
        let folder = try temporaryDirectory()
        try quickFunctionManifest.write(toFile: folder + "/quick.yaml", atomically: true, encoding: .utf8)
        let before = treeSnapshot(folder)
        let empty = try run(["run", "quick.yaml", "--results", ""], in: folder)
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("results folder is empty"), "\(empty.stderr)")
        #expect(treeSnapshot(folder) == before)
        let emptyBatch = try run(["batch", ".", "--results", ""], in: folder)
        #expect(emptyBatch.status == 2, "\(emptyBatch.stderr)")

        let ok = try run(["run", "quick.yaml", "--results", "r"], in: folder)
        #expect(ok.status == 0, "\(ok.stderr)")
        let bundle = ok.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let written = treeSnapshot(folder)
        for inside in [bundle, bundle + "/cases", bundle + "/cases/default/more"] {
            let refused = try run(["run", "quick.yaml", "--results", inside], in: folder)
            #expect(refused.status == 2, "\(inside): \(refused.stderr)")
            #expect(refused.stderr.contains("result bundle"), "\(refused.stderr)")
        }
        #expect(treeSnapshot(folder) == written)
    }

    @Test func aManifestCannotStartAnotherProgram() throws {
        let folder = try temporaryDirectory()
        let marker = folder + "/ran"
        let script = folder + "/evil.sh"
        try "touch '\(marker)'\n".write(toFile: script, atomically: true, encoding: .utf8)
        try (quickFunctionManifest.replacingOccurrences(of: "evaluation: [{kind: fit}]", with: "")
            + "\nevaluation: [{kind: peer-comparison, python: /bin/sh, script: \(script), repeats: 1, budget: 0.01, strategies: [forward-vectorized], pin-cpu: false}]\n")
            .write(toFile: folder + "/peer.yaml", atomically: true, encoding: .utf8)

        let refused = try run(["run", "peer.yaml", "--results", "r"], in: folder)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("peer.yaml:6:") && refused.stderr.contains("evaluation[0].python"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-program /bin/sh"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(!FileManager.default.fileExists(atPath: folder + "/r"))

        let validate = try run(["validate", "peer.yaml"], in: folder)
        #expect(validate.status == 2)
        #expect(validate.stderr.contains("evaluation[0].python"), "\(validate.stderr)")

        let onlyPython = try run(["validate", "peer.yaml", "--allow-program", "/bin/sh"], in: folder)
        #expect(onlyPython.status == 2)
        #expect(onlyPython.stderr.contains("evaluation[0].script"), "\(onlyPython.stderr)")

        let allowed = ["--allow-program", "/bin/sh", "--allow-program", "evil.sh"]
        let says = try run(["validate", "peer.yaml"] + allowed, in: folder)
        #expect(says.status == 0, "\(says.stderr)")
        #expect(says.stdout.contains("peer-comparison would run: /bin/sh \(script)"), "\(says.stdout)")
        #expect(!FileManager.default.fileExists(atPath: marker), "validate started the program")

        // Allowed on the command line, it does run (and, writing no results, fails the case).
        let ran = try run(["run", "peer.yaml", "--results", "r"] + allowed, in: folder)
        #expect(ran.status == 1, "\(ran.stderr)")
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    /// A manifest inside someone else's git repository whose configuration starts a program
    /// (`core.fsmonitor`): the run asks git about the jacobench checkout only, so nothing runs.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "needs git"))
    func aManifestsGitRepositoryStartsNothing() throws {
        let folder = try temporaryDirectory()
        let marker = folder + "/ran"
        for arguments in [["init", "-q", "."], ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty", "-m", "x"],
                          ["config", "core.fsmonitor", "touch '\(marker)'; false"]] {
            let git = Process()
            git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            git.arguments = arguments
            git.currentDirectoryURL = URL(fileURLWithPath: folder)
            try git.run()
            git.waitUntilExit()
            #expect(git.terminationStatus == 0)
        }
        try quickFunctionManifest.write(toFile: folder + "/quick.yaml", atomically: true, encoding: .utf8)
        let result = try run(["run", "quick.yaml", "--results", "r"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "git ran the manifest repository's fsmonitor")
    }

    @Test func batchPassesAllowedProgramsToItsRuns() throws {
        let folder = try temporaryDirectory()
        let marker = folder + "/ran"
        try FileManager.default.createDirectory(atPath: folder + "/experiments", withIntermediateDirectories: true)
        try "touch '\(marker)'\n".write(toFile: folder + "/evil.sh", atomically: true, encoding: .utf8)
        try (quickFunctionManifest.replacingOccurrences(of: "evaluation: [{kind: fit}]", with: "")
            + "\nevaluation: [{kind: peer-comparison, python: /bin/sh, script: \(folder)/evil.sh, repeats: 1, budget: 0.01, strategies: [forward-vectorized], pin-cpu: false}]\n")
            .write(toFile: folder + "/experiments/peer.yaml", atomically: true, encoding: .utf8)
        let refused = try run(["batch", "experiments", "--results", "r"], in: folder)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let allowed = try run(["batch", "experiments", "--results", "r", "--allow-program", "/bin/sh", "--allow-program", "evil.sh"], in: folder)
        #expect(allowed.status == 1, "the case fails: the program writes no results")
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    @Test func validateSaysWhatTheDefaultPeerComparisonWouldRun() throws {
        let folder = try temporaryDirectory()
        try (quickFunctionManifest.replacingOccurrences(of: "evaluation: [{kind: fit}]", with: "") + "\nevaluation: [peer-comparison]\n")
            .write(toFile: folder + "/peer.yaml", atomically: true, encoding: .utf8)
        let result = try run(["validate", "peer.yaml"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let venv = BuiltBinary.packageRoot + "/.peers-venv/bin/python"
        let expected = FileManager.default.isExecutableFile(atPath: venv)
            ? "peer-comparison would run: \(venv) \(BuiltBinary.packageRoot)/peers/peer_benchmark.py"
            : "peer-comparison would be skipped: no Python at \(venv)"
        #expect(result.stdout.contains(expected), "\(result.stdout)")
    }

    /// With HOME, TMPDIR and the working folder inside one temporary tree, a good run and
    /// every hostile manifest of the catalogue's `p` class leave nothing outside `results/`.
    @Test func nothingIsCreatedOutsideTheResultsFolder() throws {
        let root = try temporaryDirectory()
        let manager = FileManager.default
        for folder in ["home", "tmp", "work/manifests", "work/nist"] {
            try manager.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let catalogue = BadInputCatalogueTests.folder
        let hostile = try manager.contentsOfDirectory(atPath: catalogue).filter { $0.hasPrefix("p") }.sorted()
        #expect(hostile.filter { $0.hasSuffix(".yaml") }.count >= 20)
        for name in hostile { try manager.copyItem(atPath: catalogue + "/" + name, toPath: root + "/work/manifests/" + name) }
        try manager.copyItem(atPath: BuiltBinary.packageRoot + "/Tests/Fixtures/nist/Misra1a.dat", toPath: root + "/work/nist/Misra1a.dat")
        try quickFunctionManifest.write(toFile: root + "/work/manifests/good.yaml", atomically: true, encoding: .utf8)
        // An allowed peer program that writes no results: the case fails, and the evaluation's
        // scratch folder (under TMPDIR) is gone afterwards.
        try "exit 0\n".write(toFile: root + "/work/peer.sh", atomically: true, encoding: .utf8)
        try (quickFunctionManifest.replacingOccurrences(of: "evaluation: [{kind: fit}]", with: "")
            + "\nevaluation: [{kind: peer-comparison, python: /bin/sh, script: \(root)/work/peer.sh, repeats: 1, budget: 0.01, strategies: [forward-vectorized], pin-cpu: false}]\n")
            .write(toFile: root + "/work/manifests/peer.yaml", atomically: true, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = root + "/home"
        environment["TMPDIR"] = root + "/tmp"
        let results = root + "/results"
        let manifests = ["good.yaml", "peer.yaml"] + hostile.filter { $0.hasSuffix(".yaml") }
        let allow = ["--allow-program", "/bin/sh", "--allow-program", root + "/work/peer.sh"]
        for manifest in manifests {
            let before = treeSnapshot(root)
            let result = try run(
                ["run", manifest, "--results", results] + (manifest == "peer.yaml" ? allow : []), in: root + "/work/manifests", environment: environment)
            let expected: Int32 = manifest == "good.yaml" ? 0 : manifest == "peer.yaml" ? 1 : 2
            #expect(result.status == expected, "\(manifest): \(result.stderr)")
            let created = treeSnapshot(root).subtracting(before)
            let outside = created.filter { !$0.hasPrefix("results/") && $0 != "results" }
            #expect(outside.isEmpty, "\(manifest) created \(outside.sorted())")
            if expected == 2 { #expect(created.isEmpty, "\(manifest) wrote \(created.sorted())") }
        }
        #expect(manager.fileExists(atPath: results + "/quick/latest/summary.json"))
    }
}
