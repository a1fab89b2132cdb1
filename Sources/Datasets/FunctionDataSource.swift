import Jacobians
import FormulaModels
import LinearAlgebra
import NeuralNetworks

/// Samples a formula, y = f(x) + ε with ε ~ N(0, noise²), at random or on a grid.
///
///     let source = FunctionDataSource(
///         formula: "y = b1*sin(x1) + x2**2", parameterValues: ["b1": 2],
///         axes: [.init(name: "x1", lower: 0, upper: 3), .init(name: "x2", lower: -1, upper: 1)],
///         sampling: .random(count: 200), noise: 0.01)
///     let data = try source.generate(seed: 42)
///
/// Random draws are made in a fixed order (all inputs row by row, then the noise sample
/// by sample) from engine's `SeededGenerator`, so a seed fixes the dataset.
public struct FunctionDataSource: Sendable, Equatable {
    /// One input dimension and its range.
    public struct Axis: Sendable, Equatable {
        /// The predictor's name as written in the formula.
        public var name: String
        /// Smallest value.
        public var lower: Double
        /// Largest value (random samples are drawn from [lower, upper)).
        public var upper: Double
        /// Creates an axis.
        public init(name: String, lower: Double, upper: Double) {
            self.name = name
            self.lower = lower
            self.upper = upper
        }
    }

    /// Where the inputs are placed.
    public enum Sampling: Sendable, Equatable {
        /// `count` points drawn uniformly in the box.
        case random(count: Int)
        /// The Cartesian grid with `pointsPerAxis[j]` evenly spaced points on axis j,
        /// endpoints included (one point means the midpoint); the last axis varies fastest.
        case grid(pointsPerAxis: [Int])
    }

    /// The formulas, one per target column (`y = b1*exp(-b2*x)`); responses must not be
    /// transformed and must differ. They share the parameter values.
    public var formulas: [String]
    /// Values of the formula's parameters by name.
    public var parameterValues: [String: Double]
    /// The predictors, in input-column order.
    public var axes: [Axis]
    /// Random or grid placement.
    public var sampling: Sampling
    /// Standard deviation of the additive Gaussian noise on y (0 for none).
    public var noise: Double

    /// Creates a source of one target.
    public init(formula: String, parameterValues: [String: Double] = [:], axes: [Axis], sampling: Sampling, noise: Double = 0) {
        self.init(formulas: [formula], parameterValues: parameterValues, axes: axes, sampling: sampling, noise: noise)
    }

    /// Creates a source of one target per formula.
    public init(formulas: [String], parameterValues: [String: Double] = [:], axes: [Axis], sampling: Sampling, noise: Double = 0) {
        self.formulas = formulas
        self.parameterValues = parameterValues
        self.axes = axes
        self.sampling = sampling
        self.noise = noise
    }

    /// Draws the dataset.
    ///
    /// - Throws: ``DataSourceError`` naming the field at fault (a formula error keeps its caret).
    public func generate(seed: UInt64) throws(DataSourceError) -> Dataset {
        let models = try compiledModels()
        let inputs = try placeInputs(seed: seed)
        var columns: [[Double]] = []
        for model in models {
            let parameters = model.parameterNames.map { parameterValues[$0] ?? 0 }
            var values: [Double] = []
            FormulaBatchEvaluator(program: model.program, inputs: inputs).evaluate(parameters: parameters, into: &values)
            columns.append(values)
        }
        // Noise sample by sample, target by target within a sample (one target: as before).
        var generator = SeededGenerator(seed: seed ^ 0x6E6F_6973_6500_0000)  // a stream of its own for the noise
        var targets = Matrix(rows: inputs.rows, columns: models.count)
        for sample in 0..<inputs.rows {
            for (d, values) in columns.enumerated() {
                guard values[sample].isFinite else {
                    let point = zip(axes, inputs.row(sample)).map { "\($0.name) = \($1)" }.joined(separator: ", ")
                    throw DataSourceError(field: "formula", "the formula\(models.count > 1 ? " of '\(models[d].responseName)'" : "") is not finite at \(point)")
                }
                targets[sample, d] = values[sample] + (noise > 0 ? generator.nextGaussian(standardDeviation: noise) : 0)
            }
        }
        return Dataset(inputs: inputs, targets: targets, inputNames: axes.map(\.name), targetNames: models.map(\.responseName))
    }

    func compiledModels() throws(DataSourceError) -> [FormulaModel] {
        guard !formulas.isEmpty else { throw DataSourceError(field: "formula", "give at least one formula") }
        var models: [FormulaModel] = []
        for text in formulas {
            let model = try compiledModel(text)
            if models.contains(where: { $0.responseName == model.responseName }) {
                throw DataSourceError(field: "formula", "two formulas define the response '\(model.responseName)'; each target needs its own name")
            }
            models.append(model)
        }
        return models
    }

    func compiledModel(_ formula: String) throws(DataSourceError) -> FormulaModel {
        guard !axes.isEmpty else { throw DataSourceError(field: "axes", "at least one input axis is needed") }
        for axis in axes where !(axis.lower.isFinite && axis.upper.isFinite && axis.lower <= axis.upper) {
            throw DataSourceError(field: "axes.\(axis.name)", "range [\(axis.lower), \(axis.upper)] must be finite with lower ≤ upper")
        }
        guard noise >= 0, noise.isFinite else { throw DataSourceError(field: "noise", "must be a finite number ≥ 0, got \(noise)") }
        let declarations = FormulaDeclarations(
            parameterNames: parameterValues.isEmpty ? nil : parameterValues.keys.sorted(),
            predictorNames: axes.map(\.name))
        let model: FormulaModel
        do {
            model = try FormulaModel(formula, declarations: declarations)
        } catch {
            throw DataSourceError(field: "formula", error.description)
        }
        if let transform = model.responseTransform {
            throw DataSourceError(field: "formula", "write the response untransformed ('\(model.responseName) = …'), not \(transform.rawValue)[\(model.responseName)]")
        }
        if let missing = model.parameterNames.first(where: { parameterValues[$0] == nil }) {
            throw DataSourceError(field: "parameters", "no value for the formula's parameter '\(missing)'")
        }
        return model
    }

    func placeInputs(seed: UInt64) throws(DataSourceError) -> Matrix {
        switch sampling {
        case .random(let count):
            guard count > 0 else { throw DataSourceError(field: "samples", "must be positive, got \(count)") }
            var generator = SeededGenerator(seed: seed)
            var inputs = Matrix(rows: count, columns: axes.count)
            for sample in 0..<count {
                for (j, axis) in axes.enumerated() { inputs[sample, j] = generator.nextUniform(in: axis.lower, axis.upper) }
            }
            return inputs
        case .grid(let points):
            guard points.count == axes.count else {
                throw DataSourceError(field: "grid", "\(points.count) point count(s) for \(axes.count) axes")
            }
            guard points.allSatisfy({ $0 > 0 }) else { throw DataSourceError(field: "grid", "point counts must be positive") }
            let total = points.reduce(1, *)
            var inputs = Matrix(rows: total, columns: axes.count)
            for sample in 0..<total {
                var rest = sample
                for j in stride(from: axes.count - 1, through: 0, by: -1) {
                    let index = rest % points[j]
                    rest /= points[j]
                    let axis = axes[j]
                    inputs[sample, j] = points[j] == 1
                        ? (axis.lower + axis.upper) / 2
                        : axis.lower + (axis.upper - axis.lower) * Double(index) / Double(points[j] - 1)
                }
            }
            return inputs
        }
    }
}
