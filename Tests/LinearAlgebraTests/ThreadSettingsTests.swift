import Testing
@testable import LinearAlgebra

/// The one thread rule: OPENBLAS_NUM_THREADS, then --threads, then 1.
@Suite struct ThreadSettingsTests {
    @Test func neitherGivenIsTheDefaultOfOne() throws {
        #expect(try ThreadSettings.resolve(option: nil, environment: [:]) == ThreadSettings(count: 1, source: .defaultCount))
        #expect(ThreadSettings.defaultCount == 1)
    }

    @Test func theOptionAloneApplies() throws {
        #expect(try ThreadSettings.resolve(option: 3, environment: ["PATH": "/bin"]) == ThreadSettings(count: 3, source: .option))
    }

    @Test func theEnvironmentAloneApplies() throws {
        #expect(try ThreadSettings.resolve(option: nil, environment: ["OPENBLAS_NUM_THREADS": "2"]) == ThreadSettings(count: 2, source: .environment))
        #expect(try ThreadSettings.resolve(option: nil, environment: ["OPENBLAS_NUM_THREADS": " 4 "]).count == 4)
    }

    @Test func theEnvironmentWinsOverTheOptionAndSaysSo() throws {
        let settings = try ThreadSettings.resolve(option: 4, environment: ["OPENBLAS_NUM_THREADS": "2"])
        #expect(settings == ThreadSettings(count: 2, source: .environment, overriddenOption: 4))
        // The same count from both overrides nothing.
        #expect(try ThreadSettings.resolve(option: 2, environment: ["OPENBLAS_NUM_THREADS": "2"]).overriddenOption == nil)
    }

    @Test func anEmptyVariableCountsAsUnset() throws {
        #expect(try ThreadSettings.resolve(option: 3, environment: ["OPENBLAS_NUM_THREADS": ""]) == ThreadSettings(count: 3, source: .option))
    }

    @Test(arguments: ["0", "-1", "two", "1.5"])
    func anUnusableVariableIsAnErrorNamingIt(value: String) {
        #expect(throws: ThreadSettingsError.self) { try ThreadSettings.resolve(option: nil, environment: ["OPENBLAS_NUM_THREADS": value]) }
        do {
            _ = try ThreadSettings.resolve(option: 2, environment: ["OPENBLAS_NUM_THREADS": value])
        } catch {
            #expect("\(error)".hasPrefix("OPENBLAS_NUM_THREADS='\(value)' is not a positive thread count"))
        }
    }

    @Test func anOptionBelowOneIsAnError() {
        #expect(throws: ThreadSettingsError("--threads must be at least 1, got 0")) { try ThreadSettings.resolve(option: 0, environment: [:]) }
    }

    @Test func sourcesAreRecordedAsDocumented() {
        #expect(ThreadSettings.Source.option.rawValue == "option")
        #expect(ThreadSettings.Source.environment.rawValue == "OPENBLAS_NUM_THREADS")
        #expect(ThreadSettings.Source.defaultCount.rawValue == "default")
    }

    @Test func applyingSetsOpenBLASAndCurrent() {
        // One thread only: the test process shares OpenBLAS with every other test.
        let settings = ThreadSettings(count: 1, source: .defaultCount)
        settings.apply()
        #expect(ThreadSettings.blasThreads == 1)
        #expect(ThreadSettings.current?.count == 1)
    }
}
