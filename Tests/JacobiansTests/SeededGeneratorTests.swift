import Jacobians
import Testing

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameSequenceDifferentSeedDifferentSequence() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let first = (0..<16).map { _ in a.next() }
        #expect(first == (0..<16).map { _ in b.next() })
        #expect(first != (0..<16).map { _ in c.next() })
        var zero = SeededGenerator(seed: 0)
        #expect(zero.next() != 0)
    }

    @Test func uniformSamplesStayInRangeAndFillIt() {
        var generator = SeededGenerator(seed: 3)
        let samples = (0..<20_000).map { _ in generator.nextUniform(in: -2, 3) }
        #expect(samples.allSatisfy { $0 >= -2 && $0 < 3 })
        let mean = samples.reduce(0, +) / Double(samples.count)
        #expect(abs(mean - 0.5) < 0.05)
    }

    @Test func gaussianSamplesHaveTheRequestedMoments() {
        var generator = SeededGenerator(seed: 5)
        let count = 50_000
        let samples = (0..<count).map { _ in generator.nextGaussian(mean: 1, standardDeviation: 2) }
        let mean = samples.reduce(0, +) / Double(count)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(count - 1)
        // Standard errors: 2/√n ≈ 0.009 for the mean, ≈ 0.025 for the variance.
        #expect(abs(mean - 1) < 0.04)
        #expect(abs(variance - 4) < 0.12)
        #expect(samples.allSatisfy { $0.isFinite })
    }
}
