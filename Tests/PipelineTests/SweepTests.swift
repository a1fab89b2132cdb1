import Testing
import YAMLDecoding
@testable import Pipeline

/// Sweep expansion, case ids and case seeds.
@Suite struct SweepTests {
    func plan(_ sweep: String, seed: Int = 42, overrides: [String] = []) throws -> ExperimentPlan {
        let text = """
            name: e
            seed: \(seed)
            data: {kind: line, samples: 4}
            model: {kind: line}
            solver: {kind: exact-line}
            sweep:
            \(sweep)
            """
        return try ExperimentPlan.load(path: try writeManifest(text), overrides: overrides, registry: .testing)
    }

    @Test func gridIsTheCartesianProductWithTheLastKeyFastest() throws {
        let plan = try plan("  data.samples: [4, 8]\n  model.initial: [0.5, 1.5, 2.5]")
        #expect(plan.cases.count == 6)
        let pairs = plan.cases.map { ($0.sweep["data.samples"]?.integerValue ?? -1, $0.sweep["model.initial"]?.numberValue ?? -1) }
        let expected: [(Int, Double)] = [(4, 0.5), (4, 1.5), (4, 2.5), (8, 0.5), (8, 1.5), (8, 2.5)]
        #expect(pairs.map(\.0) == expected.map(\.0))
        #expect(pairs.map(\.1) == expected.map(\.1))
        #expect(plan.cases.map(\.id) == [
            "samples=4_initial=0.5", "samples=4_initial=1.5", "samples=4_initial=2.5",
            "samples=8_initial=0.5", "samples=8_initial=1.5", "samples=8_initial=2.5",
        ])
        #expect(plan.sweepKeys == ["data.samples", "model.initial"])
    }

    @Test func sweptValuesReachTheResolvedConfiguration() throws {
        let plan = try plan("  data.samples: [4, 8]")
        #expect(plan.cases[1].resolved.jsonValue["data"]?["samples"] == .number("8"))
        // Defaults are filled in: the line data's slope and the solver's iterations.
        #expect(plan.cases[1].resolved.jsonValue["data"]?["slope"] == .number("2"))
        #expect(plan.cases[1].resolved.jsonValue["solver"]?["max-iterations"] == .number("3"))
        #expect(plan.cases[1].resolved.jsonValue["jacobian"]?["reference"] == .string("forward-vectorized"))
    }

    @Test func wholeSubDocumentsCanBeSwept() throws {
        let plan = try plan("  solver: [{kind: exact-line, max-iterations: 1}, {kind: exact-line, max-iterations: 5}]")
        #expect(plan.cases.count == 2)
        #expect(plan.cases.map(\.id) == ["solver=exact-line-max-iterations-1", "solver=exact-line-max-iterations-5"])
        #expect(plan.cases[1].resolved.jsonValue["solver"]?["max-iterations"] == .number("5"))
    }

    @Test func seedsDependOnSweepValuesNotPosition() throws {
        let small = try plan("  model.initial: [0.5, 2.5]")
        let large = try plan("  model.initial: [0.1, 0.5, 1.5, 2.5]")
        let smallSeeds = Dictionary(uniqueKeysWithValues: small.cases.map { ($0.id, $0.seeds) })
        for plannedCase in large.cases {
            if let seeds = smallSeeds[plannedCase.id] { #expect(seeds == plannedCase.seeds) }
        }
        #expect(Set(large.cases.map(\.seeds.parameters)).count == 4)
        #expect(Set(large.cases.map(\.seeds.data)).count == 1)
    }

    @Test func seedsChangeWithTheManifestSeed() throws {
        let first = try plan("  model.initial: [0.5]", seed: 1)
        let second = try plan("  model.initial: [0.5]", seed: 2)
        #expect(first.cases[0].seeds.data != second.cases[0].seeds.data)
        #expect(first.cases[0].seeds.parameters != second.cases[0].seeds.parameters)
        #expect(first.cases[0].seeds.data <= CaseSeed.maximum && first.cases[0].seeds.parameters <= CaseSeed.maximum)
    }

    @Test func setOverridesAFieldAndASweepAxis() throws {
        let plan = try plan("  data.samples: [4, 8]", overrides: ["model.initial=7", "sweep.data.samples=[16]"])
        #expect(plan.cases.count == 1)
        #expect(plan.cases[0].sweep["data.samples"] == .number("16"))
        #expect(plan.cases[0].resolved.jsonValue["model"]?["initial"] == .number("7"))
    }

    @Test func longOrCollidingSlugsGetAHash() throws {
        let plan = try plan("  description: ['a b', 'a/b', '\(String(repeating: "x", count: 80))']")
        #expect(plan.cases.count == 3)
        #expect(plan.cases[0].id != plan.cases[1].id)
        #expect(plan.cases[0...1].allSatisfy { $0.id.hasPrefix("description=a-b-") && $0.id.count == "description=a-b-".count + 6 })
        #expect(plan.cases[2].id.count == CaseIdentifier.maximumLength + 7)
    }
}
