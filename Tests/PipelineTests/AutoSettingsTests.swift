import Testing
import YAMLDecoding
@testable import Pipeline

/// `jacobian.auto`: a name or `{pin: NAME}` pins it, `{calibrate: true}` opts into timing,
/// unset decides by the cost model; a bad mapping names the field.
@Suite struct AutoSettingsTests {
    func jacobian(_ auto: String) throws -> JacobianSettings {
        let text = """
            name: e
            data: {kind: line, samples: 4}
            model: {kind: line}
            jacobian: {auto: \(auto)}
            """
        return try ExperimentPlan.load(path: try writeManifest(text), registry: .testing).cases[0].jacobian
    }

    @Test func aNameOrAPinMappingPins() throws {
        #expect(try jacobian("per-sample").auto == "per-sample")
        let pinned = try jacobian("{pin: reverse-loop}")
        #expect(pinned.auto == "reverse-loop")
        #expect(!pinned.autoCalibrates)
    }

    @Test func calibrateIsAnOptIn() throws {
        let calibrated = try jacobian("{calibrate: true}")
        #expect(calibrated.autoCalibrates)
        #expect(calibrated.auto == nil)
        #expect(try !jacobian("{calibrate: false}").autoCalibrates)
    }

    @Test func badMappingsAreErrorsNamingTheField() throws {
        #expect(throws: YAMLError.self) { try jacobian("{calibrat: true}") }
        do {
            _ = try jacobian("{calibrat: true}")
        } catch let error as YAMLError {
            #expect(error.description.contains("calibrat"), "\(error)")
            #expect(error.description.contains("jacobian.auto"), "\(error)")
        }
        #expect(throws: YAMLError.self) { try jacobian("{pin: per-sample, calibrate: true}") }
    }
}
