import Testing
import YAMLDecoding
@testable import Pipeline

/// Linked sweep keys (several fields varying together) and sweeps made of several grids.
@Suite struct SweepGridTests {
    func plan(_ sweep: String) throws -> ExperimentPlan {
        let text = """
            name: e
            seed: 42
            data: {kind: line, samples: 4}
            model: {kind: line}
            solver: {kind: exact-line}
            sweep:
            \(sweep)
            """
        return try ExperimentPlan.load(path: try writeManifest(text), registry: .testing)
    }

    func error(_ sweep: String) -> YAMLError? {
        do {
            _ = try plan(sweep)
            return nil
        } catch let error as YAMLError {
            return error
        } catch {
            return nil
        }
    }

    @Test func linkedKeysVaryTogether() throws {
        let plan = try plan("  \"data.samples, model.initial\": [[4, 0.5], [8, 1.5]]")
        #expect(plan.cases.count == 2)
        #expect(plan.cases.map { $0.resolved.jsonValue["data"]?["samples"] } == [.number("4"), .number("8")])
        #expect(plan.cases.map { $0.resolved.jsonValue["model"]?["initial"] } == [.number("0.5"), .number("1.5")])
        #expect(plan.sweepKeys == ["data.samples, model.initial"])
    }

    @Test func linkedKeysTakingOneValueShowItOnceInTheCaseId() throws {
        let plan = try plan("  \"data.samples, model.initial\": [[4, 4], [8, 1.5]]")
        #expect(plan.cases.map(\.id) == ["initial=4", "initial=8x1.5"])
    }

    @Test func aListOfGridsIsTheirUnionWithEachCaseKeepingItsOwnKeys() throws {
        let plan = try plan("""
              - data.samples: [4, 8]
                model.initial: [0.5]
              - model.initial: [2.5, 3.5]
            """)
        #expect(plan.cases.count == 4)
        #expect(plan.sweepKeys == ["data.samples", "model.initial"])
        #expect(plan.cases.map(\.id) == ["samples=4_initial=0.5", "samples=8_initial=0.5", "initial=2.5", "initial=3.5"])
        #expect(plan.cases[2].sweep["data.samples"] == nil)
        #expect(plan.cases[3].resolved.jsonValue["data"]?["samples"] == .number("4"))
        #expect(plan.cases[3].resolved.jsonValue["model"]?["initial"] == .number("3.5"))
    }

    /// Planning decodes each distinct section once (`ManifestSectionCache`); every case still
    /// gets its own values, and equal sections give equal seeds.
    @Test func casesSharingSectionsKeepTheirOwnValues() throws {
        let plan = try plan("""
              data.samples: [4, 8]
              model.initial: [0.5, 1.5]
              limits.memory-cap: ["1 GiB", "2 GiB"]
            """)
        #expect(plan.cases.count == 8)
        for plannedCase in plan.cases {
            let sweep = plannedCase.sweep
            #expect(plannedCase.resolved.jsonValue["data"]?["samples"] == sweep["data.samples"])
            #expect(plannedCase.resolved.jsonValue["model"]?["initial"] == sweep["model.initial"])
            let cap = sweep["limits.memory-cap"] == .string("1 GiB") ? 1 << 30 : 2 << 30
            #expect(plannedCase.limits.memoryCap == cap)
            #expect(plannedCase.memoryBudget.bytes == cap)
        }
        let dataSeeds = Dictionary(grouping: plan.cases) { $0.sweep["data.samples"].map { "\($0)" } ?? "" }.mapValues { Set($0.map(\.seeds.data)) }
        #expect(dataSeeds.count == 2)
        #expect(dataSeeds.values.allSatisfy { $0.count == 1 })
        #expect(Set(dataSeeds.values.flatMap { $0 }).count == 2)
        #expect(Set(plan.cases.map(\.seeds.parameters)).count == 2)
    }

    @Test func anAlternativeOfLinkedKeysNeedsOneValuePerKey() throws {
        let found = error("  \"data.samples, model.initial\": [[4, 0.5], [8]]")
        #expect(found?.keyPath == "sweep.data.samples, model.initial")
        #expect(found?.message.contains("list of 2 values") == true)
        #expect(found?.location?.line == 7)
    }

    @Test func aLinkedKeyNamingNoFieldIsAnError() throws {
        let found = error("  \"data.samples, modle.initial\": [[4, 0.5]]")
        #expect(found?.message.contains("'modle.initial' names no field") == true)
        #expect(found?.message.contains("did you mean 'model.initial'") == true)
    }

    @Test func aLinkedKeyNamingOneFieldTwiceIsAnError() throws {
        #expect(error("  \"data.samples, data.samples\": [[4, 4]]")?.message.contains("same field twice") == true)
    }

    @Test func gridsThatProduceTheSameCaseAreAnError() throws {
        let found = error("""
              - model.initial: [0.5, 1.5]
              - model.initial: [1.5]
            """)
        #expect(found?.message.contains("same case") == true)
        #expect(found?.message.contains("model.initial=1.5") == true)
    }

    @Test func anItemOfAListOfGridsMustBeAMapping() throws {
        #expect(error("  - [1, 2]")?.message.contains("each item of a list of sweep grids is a mapping") == true)
    }
}
