import Testing
@testable import LinearAlgebra

@Suite struct OpenBLASCoreSelectionTests {
    static let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd"]
    static let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]

    @Test func genericCoreOnAnAVX512CPUIsReplacedBySkylakeX() {
        let action = OpenBLASCoreSelection.decide(cpuFlags: Self.avx512, reportedCore: "Prescott", environment: [:])
        #expect(action == .reexecute(coreType: "SkylakeX"))
    }

    @Test func genericCoreOnAnAVX2CPUIsReplacedByHaswell() {
        #expect(OpenBLASCoreSelection.decide(cpuFlags: Self.avx2, reportedCore: "Prescott", environment: [:]) == .reexecute(coreType: "Haswell"))
        #expect(OpenBLASCoreSelection.decide(cpuFlags: Self.avx2, reportedCore: "sandybridge", environment: [:]) == .reexecute(coreType: "Haswell"))
    }

    @Test func partialAVX512FallsBackToHaswell() {
        // AVX-512F without BW/VL (Knights Landing style) is not enough for the SkylakeX kernels.
        let flags = Self.avx2.union(["avx512f", "avx512cd"])
        #expect(OpenBLASCoreSelection.decide(cpuFlags: flags, reportedCore: "Prescott", environment: [:]) == .reexecute(coreType: "Haswell"))
    }

    @Test func withoutFMAOrAVX2TheGenericCoreStays() {
        for flags: Set<String> in [["sse3", "avx", "avx2"], ["sse3", "avx", "fma"], []] {
            guard case .keep = OpenBLASCoreSelection.decide(cpuFlags: flags, reportedCore: "Prescott", environment: [:]) else {
                Issue.record("re-executes for \(flags)")
                continue
            }
        }
    }

    @Test(arguments: ["Haswell", "SkylakeX", "Zen", "Cooperlake"])
    func aRecognisedCoreIsKept(core: String) {
        guard case .keep = OpenBLASCoreSelection.decide(cpuFlags: Self.avx512, reportedCore: core, environment: [:]) else {
            Issue.record("re-executes although OpenBLAS reports \(core)")
            return
        }
    }

    @Test func aUsersCoreTypeOrTheMarkerPreventsReexecution() {
        let user = OpenBLASCoreSelection.decide(cpuFlags: Self.avx512, reportedCore: "Prescott", environment: ["OPENBLAS_CORETYPE": "Prescott"])
        let marker = OpenBLASCoreSelection.decide(
            cpuFlags: Self.avx512, reportedCore: "Prescott", environment: [OpenBLASCoreSelection.markerVariable: "SkylakeX"])
        for action in [user, marker] {
            guard case .keep = action else {
                Issue.record("re-executes: \(action)")
                continue
            }
        }
    }

    @Test func flagsAreReadFromTheFirstFlagsLine() {
        let text = """
            processor\t: 0
            model name\t: Intel(R) Xeon(R) Processor
            flags\t\t: fpu sse3 avx2 fma avx512f
            bugs\t\t: spectre_v1

            processor\t: 1
            flags\t\t: fpu
            """
        #expect(OpenBLASCoreSelection.cpuFlags(fromCPUInfo: text) == ["fpu", "sse3", "avx2", "fma", "avx512f"])
        #expect(OpenBLASCoreSelection.cpuFlags(fromCPUInfo: "processor : 0\n").isEmpty)
    }
}
