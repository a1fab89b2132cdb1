import Jacobians
import LinearAlgebra

/// r̃(z) = W·r(E z + x_fixed): the residuals divided by σ, as a function of the free
/// parameters z only (E embeds the free subspace). Any strategy applied to this map yields
/// the weighted free Jacobian W·J·E directly, so the solvers never see weights or fixed
/// parameters.
///
/// Owns its buffers (not thread-safe), like every model.
final class WeightedFreeResidualMap: DifferentiableMap {
    let base: any DifferentiableMap
    let freeIndices: [Int]
    let inverseSigma: [Double]?
    private(set) var fullPoint: [Double]
    private var fullTangents = Matrix(rows: 0, columns: 0)
    private var fullCotangents = Matrix(rows: 0, columns: 0)
    private var fullResult = Matrix(rows: 0, columns: 0)
    /// True when no parameter is fixed: points and blocks pass through unchanged.
    let isIdentityEmbedding: Bool

    init(base: any DifferentiableMap, fullInitial: [Double], freeIndices: [Int], standardDeviations: [Double]?) {
        self.base = base
        self.freeIndices = freeIndices
        self.fullPoint = fullInitial
        self.inverseSigma = standardDeviations.map { $0.map { 1 / $0 } }
        self.isIdentityEmbedding = freeIndices.count == fullInitial.count
    }

    var inputCount: Int { freeIndices.count }
    var outputCount: Int { base.outputCount }

    /// x = E z + x_fixed (the full parameter vector for free values z).
    func expand(_ point: [Double]) -> [Double] {
        var full = fullPoint
        for (k, index) in freeIndices.enumerated() { full[index] = point[k] }
        return full
    }

    /// x = E z + x_fixed into `full` (reused: no new array once it has the size).
    func expand(_ point: [Double], into full: inout [Double]) {
        if full.count != fullPoint.count { full = fullPoint }
        for index in full.indices { full[index] = fullPoint[index] }
        for (k, index) in freeIndices.enumerated() { full[index] = point[k] }
    }

    private func load(_ point: [Double]) {
        for (k, index) in freeIndices.enumerated() { fullPoint[index] = point[k] }
    }

    func evaluate(at point: [Double], into output: inout [Double]) {
        if isIdentityEmbedding {
            base.evaluate(at: point, into: &output)
        } else {
            load(point)
            base.evaluate(at: fullPoint, into: &output)
        }
        if let w = inverseSigma { for i in 0..<output.count { output[i] *= w[i] } }
    }

    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        if isIdentityEmbedding {
            base.pushforward(at: point, tangents: tangents, into: &result)
        } else {
            load(point)
            let k = tangents.columns
            fullTangents.reshape(rows: fullPoint.count, columns: k)
            fullTangents.fill(0)
            for (row, index) in freeIndices.enumerated() {
                for lane in 0..<k { fullTangents[index, lane] = tangents[row, lane] }
            }
            base.pushforward(at: fullPoint, tangents: fullTangents, into: &result)
        }
        if let w = inverseSigma {
            let k = result.columns
            for i in 0..<result.rows { for lane in 0..<k { result.elements[i * k + lane] *= w[i] } }
        }
    }

    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        if let w = inverseSigma {
            let m = cotangents.columns
            fullCotangents.reshape(rows: cotangents.rows, columns: m)
            for lane in 0..<cotangents.rows {
                for i in 0..<m { fullCotangents.elements[lane * m + i] = cotangents.elements[lane * m + i] * w[i] }
            }
            pullbackUnweighted(at: point, cotangents: fullCotangents, into: &result)
        } else {
            pullbackUnweighted(at: point, cotangents: cotangents, into: &result)
        }
    }

    private func pullbackUnweighted(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        if isIdentityEmbedding {
            base.pullback(at: point, cotangents: cotangents, into: &result)
            return
        }
        load(point)
        base.pullback(at: fullPoint, cotangents: cotangents, into: &fullResult)
        result.reshape(rows: cotangents.rows, columns: freeIndices.count)
        for lane in 0..<cotangents.rows {
            for (k, index) in freeIndices.enumerated() { result[lane, k] = fullResult[lane, index] }
        }
    }
}
