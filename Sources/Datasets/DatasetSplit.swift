import Jacobians
import NeuralNetworks

/// A dataset divided into the samples a model is fitted on and held-out test samples.
public struct DatasetSplit: Sendable, Equatable {
    /// Samples to fit on.
    public var training: Dataset
    /// Held-out samples; `nil` when the source has no test set.
    public var test: Dataset?
    /// ½‖y − g(x)‖² over the training samples, for data drawn from a known model g (a teacher
    /// network: ½‖ε‖², the noise actually drawn): the cost a fit reaches at g's own parameters,
    /// the yardstick for "fitted as well as the truth". `nil` when no generating model is known.
    public var teacherCost: Double?

    /// Creates a split.
    public init(training: Dataset, test: Dataset? = nil, teacherCost: Double? = nil) {
        self.training = training
        self.test = test
        self.teacherCost = teacherCost
    }
}

extension Dataset {
    /// Splits off round(testFraction · S) samples chosen by a seeded Fisher–Yates shuffle.
    ///
    /// Both parts keep the original relative order of their samples. The same seed always
    /// gives the same split. `testFraction` must lie in [0, 1).
    public func split(testFraction: Double, seed: UInt64) -> DatasetSplit {
        precondition(testFraction >= 0 && testFraction < 1, "test fraction must lie in [0, 1)")
        let testCount = Int((testFraction * Double(sampleCount)).rounded())
        guard testCount > 0 else { return DatasetSplit(training: self, test: nil) }
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<sampleCount)
        for index in stride(from: sampleCount - 1, to: 0, by: -1) {
            let other = Int(generator.next() % UInt64(index + 1))
            order.swapAt(index, other)
        }
        let testIndices = order.prefix(testCount).sorted()
        let trainingIndices = order.dropFirst(testCount).sorted()
        return DatasetSplit(training: selecting(rows: trainingIndices), test: selecting(rows: testIndices))
    }
}
