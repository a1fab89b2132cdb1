import Jacobians
import LinearAlgebra

/// J̃ = W·J·E of the weighted free residuals (``WeightedFreeResidualMap``) as an operator: the
/// map's own ``JacobianOperator`` (``JacobianOperatorProviding``) or its sweeps
/// (``SweepJacobianOperator``), with the σ weights W and the embedding E of the free
/// parameters applied around it. Counts its products and their time for the fit's report.
final class WeightedFreeJacobianOperator {
    let base: any JacobianOperator
    let freeIndices: [Int]
    let inverseSigma: [Double]?
    let isIdentityEmbedding: Bool
    /// Whether `base` is the map's own operator (false: its single-lane sweeps).
    let isMapOwn: Bool
    private var fullPoint: [Double]
    private var fullVector: [Double]
    private var weightedRows: [Double]
    private var fullImage: [Double]
    private var fullSquaredNorms: [Double]
    /// J̃·v products so far.
    private(set) var products = 0
    /// J̃ᵀ·u products so far.
    private(set) var transposedProducts = 0
    /// Seconds spent in ``apply(_:into:)`` and ``applyTransposed(_:into:)``.
    private(set) var productSeconds = 0.0
    private let clock = ContinuousClock()

    init(map: WeightedFreeResidualMap) {
        if let own = (map.base as? any JacobianOperatorProviding)?.makeJacobianOperator() {
            base = own
            isMapOwn = true
        } else {
            base = SweepJacobianOperator(map: map.base)
            isMapOwn = false
        }
        freeIndices = map.freeIndices
        inverseSigma = map.inverseSigma
        isIdentityEmbedding = map.isIdentityEmbedding
        fullPoint = map.fullPoint
        fullVector = Array(repeating: 0, count: map.fullPoint.count)
        weightedRows = inverseSigma == nil ? [] : Array(repeating: 0, count: map.outputCount)
        fullImage = isIdentityEmbedding ? [] : Array(repeating: 0, count: map.fullPoint.count)
        fullSquaredNorms = fullImage
    }

    /// m.
    var rowCount: Int { base.rowCount }
    /// n_free.
    var columnCount: Int { freeIndices.count }

    /// Linearizes the map at the free point z (fixed parameters at their values).
    func linearize(at point: [Double]) {
        if isIdentityEmbedding {
            base.linearize(at: point)
        } else {
            for (k, index) in freeIndices.enumerated() { fullPoint[index] = point[k] }
            base.linearize(at: fullPoint)
        }
    }

    /// J̃·v (m values).
    func apply(_ vector: [Double], into result: inout [Double]) {
        let begin = clock.now
        if isIdentityEmbedding {
            base.apply(vector, into: &result)
        } else {
            for (k, index) in freeIndices.enumerated() { fullVector[index] = vector[k] }
            base.apply(fullVector, into: &result)
        }
        if let w = inverseSigma { for i in 0..<result.count { result[i] *= w[i] } }
        products += 1
        productSeconds += seconds(since: begin)
    }

    /// J̃ᵀ·u (n_free values).
    func applyTransposed(_ vector: [Double], into result: inout [Double]) {
        let begin = clock.now
        if let w = inverseSigma {
            for i in 0..<vector.count { weightedRows[i] = vector[i] * w[i] }
            applyTransposedUnweighted(weightedRows, into: &result)
        } else {
            applyTransposedUnweighted(vector, into: &result)
        }
        transposedProducts += 1
        productSeconds += seconds(since: begin)
    }

    private func applyTransposedUnweighted(_ rows: [Double], into result: inout [Double]) {
        if isIdentityEmbedding {
            base.applyTransposed(rows, into: &result)
        } else {
            base.applyTransposed(rows, into: &fullImage)
            gatherFree(fullImage, into: &result)
        }
    }

    /// ‖J̃ⱼ‖² for every free column j.
    func columnSquaredNorms(into result: inout [Double]) {
        if isIdentityEmbedding {
            base.columnSquaredNorms(rowWeights: inverseSigma, into: &result)
        } else {
            base.columnSquaredNorms(rowWeights: inverseSigma, into: &fullImage)
            gatherFree(fullImage, into: &result)
        }
    }

    /// J̃ᵀu and ‖J̃ⱼ‖² for every free column j from one call of the map's operator, which may
    /// share its backward sweep between them (``JacobianOperator/applyTransposedWithColumnSquaredNorms(_:rowWeights:into:squaredNorms:)``).
    /// A linearization's work: counted neither as a product nor in ``productSeconds``.
    func transposedWithColumnSquaredNorms(_ vector: [Double], into result: inout [Double], squaredNorms: inout [Double]) {
        if let w = inverseSigma {
            for i in 0..<vector.count { weightedRows[i] = vector[i] * w[i] }
            weightedTransposedWithColumnSquaredNorms(weightedRows, into: &result, squaredNorms: &squaredNorms)
        } else {
            weightedTransposedWithColumnSquaredNorms(vector, into: &result, squaredNorms: &squaredNorms)
        }
    }

    /// ``transposedWithColumnSquaredNorms(_:into:squaredNorms:)`` for `rows` already weighted.
    private func weightedTransposedWithColumnSquaredNorms(_ rows: [Double], into result: inout [Double], squaredNorms: inout [Double]) {
        if isIdentityEmbedding {
            base.applyTransposedWithColumnSquaredNorms(rows, rowWeights: inverseSigma, into: &result, squaredNorms: &squaredNorms)
        } else {
            base.applyTransposedWithColumnSquaredNorms(rows, rowWeights: inverseSigma, into: &fullImage, squaredNorms: &fullSquaredNorms)
            gatherFree(fullImage, into: &result)
            gatherFree(fullSquaredNorms, into: &squaredNorms)
        }
    }

    /// The free parameters' entries of `full` (one value per parameter of the map) into `result`.
    private func gatherFree(_ full: [Double], into result: inout [Double]) {
        if result.count != columnCount { result = Array(repeating: 0, count: columnCount) }
        for (k, index) in freeIndices.enumerated() { result[k] = full[index] }
    }

    private func seconds(since begin: ContinuousClock.Instant) -> Double {
        let parts = (clock.now - begin).components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
