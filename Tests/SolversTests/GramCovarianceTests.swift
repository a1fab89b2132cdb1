import Foundation
import Jacobians
import LinearAlgebra
@testable import Solvers
import Testing

/// The covariance from JᵀJ (for a J too large to form) against the one from the SVD of J.
@Suite struct GramCovarianceTests {
    /// A 60 × 6 J with entries from a fixed sequence, its last column `dependent` on the first two
    /// when asked.
    static func jacobian(dependent: Bool) -> Matrix {
        let values: [Double] = (0..<360).map { index in
            let x = Double(index)
            return sin(x * 0.37 + 0.1) + 0.2 * cos(x * x * 0.01)
        }
        var j = Matrix(rows: 60, columns: 6, elements: values)
        if dependent { for i in 0..<60 { j[i, 5] = 2 * j[i, 0] - j[i, 1] } }
        return j
    }

    func bothWays(_ j: Matrix) throws -> (svd: FitCovariance, gram: FitCovariance) {
        var svd = ThinSingularValueDecomposition()
        let indices = Array(0..<6)
        let fromJacobian = try #require(FitCovariance.compute(jacobian: j, cost: 0.7, freeIndices: indices, parameterCount: 6, svd: &svd))
        let fromGram = try #require(FitCovariance.compute(gram: LinearAlgebra.gram(j), rows: 60, cost: 0.7, freeIndices: indices, parameterCount: 6))
        return (fromJacobian, fromGram)
    }

    @Test func aFullRankJacobianGivesTheSameCovariance() throws {
        let (svd, gram) = try bothWays(Self.jacobian(dependent: false))
        #expect(gram.rank == 6 && !gram.isSingular)
        #expect(gram.residualVariance == svd.residualVariance)
        for (a, b) in zip(gram.standardErrors, svd.standardErrors) { #expect(abs(a - b) <= 1e-10 * b, "\(a) vs \(b)") }
        for row in 0..<6 {
            for column in 0..<6 { #expect(abs(gram.matrix[row][column] - svd.matrix[row][column]) <= 1e-10 * svd.standardErrors[row] * svd.standardErrors[column]) }
        }
        #expect(abs(gram.conditionNumber - svd.conditionNumber) <= 1e-8 * svd.conditionNumber)
    }

    @Test func aDependentColumnIsRankDeficientWithUndeterminedParameters() throws {
        let (svd, gram) = try bothWays(Self.jacobian(dependent: true))
        #expect(svd.rank == 5 && gram.rank == 5)
        #expect(gram.isSingular && gram.conditionNumber == .infinity)
        // Columns 0, 1 and 5 span the null vector (2, −1, 0, 0, 0, −1): not determined.
        for index in [0, 1, 5] { #expect(gram.standardErrors[index].isNaN, "\(index)") }
        for index in [2, 3, 4] {
            #expect(abs(gram.standardErrors[index] - svd.standardErrors[index]) <= 1e-8 * svd.standardErrors[index], "\(index)")
        }
    }
}

/// y = a·exp(−k·t) + c over 400 points, with its normal equations assembled from the analytic
/// rows (a map that offers ``NormalEquationsAssembling``, as a network does): a well-conditioned
/// fit on which the covariance from JᵀJ must match the SVD's.
final class AssembledDecayMap: DifferentiableMap, NormalEquationsAssembling {
    let times = (0..<400).map { Double($0) / 40 }
    let observations: [Double]
    var inputCount: Int { 3 }
    var outputCount: Int { times.count }

    init() {
        observations = times.enumerated().map { index, t in 2.5 * exp(-0.7 * t) + 0.3 + 0.01 * sin(Double(index) * 1.7) }
    }

    func rows(_ x: [Double]) -> Matrix {
        Matrix(rows: times.count, columns: 3, elements: times.flatMap { t in [exp(-x[1] * t), -x[0] * t * exp(-x[1] * t), 1] })
    }

    func evaluate(at x: [Double], into output: inout [Double]) {
        output = zip(times, observations).map { t, y in x[0] * exp(-x[1] * t) + x[2] - y }
    }

    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) { multiply(rows(point), tangents, into: &result) }
    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) { multiply(cotangents, rows(point), into: &result) }

    func makeNormalEquationsAssembler() -> (any NormalEquationsAssembler)? { Assembler(map: self) }

    final class Assembler: NormalEquationsAssembler {
        let map: AssembledDecayMap
        var jacobian = Matrix(rows: 0, columns: 0)
        init(map: AssembledDecayMap) { self.map = map }
        var parameterCount: Int { 3 }
        func formFactors(at point: [Double]) { jacobian = map.rows(point) }
        func assemble(residuals: [Double], gram: inout Matrix, gradient: inout [Double]) {
            LinearAlgebra.gram(jacobian, into: &gram)
            multiply(jacobian, residuals, transposeA: .transposed, into: &gradient)
        }
    }
}

extension GramCovarianceTests {
    /// A fit whose J is larger than `largestCovarianceJacobian` takes its covariance and
    /// convergence verdict from JᵀJ and Jᵀr assembled by the map, without any Jacobian, and they
    /// match the SVD of J.
    @Test func aFitWhoseJacobianIsTooLargeTakesItsCovarianceFromTheAssembledGram() throws {
        func fit(largest: Int) -> FitResult {
            var problem = LeastSquaresProblem(map: AssembledDecayMap(), initialParameters: [1, 0.3, 0], jacobianStrategy: ForwardVectorized())
            problem.largestCovarianceJacobian = largest
            var c = LevenbergMarquardt.Configuration()
            c.linearSolver = .cholesky
            c.damping = .nielsen
            return LevenbergMarquardt(configuration: c).fit(problem)
        }
        let svd = fit(largest: 1 << 26), gram = fit(largest: 100)
        #expect(svd.jacobianEvaluations == 1 && gram.jacobianEvaluations == 0, "\(svd.jacobianEvaluations), \(gram.jacobianEvaluations)")
        #expect(gram.cost == svd.cost && gram.status == svd.status && svd.status.isConverged)
        let a = try #require(gram.covariance), b = try #require(svd.covariance)
        #expect(a.rank == 3 && b.rank == 3)
        for (x, y) in zip(a.standardErrors, b.standardErrors) { #expect(abs(x - y) <= 1e-9 * y, "\(x) vs \(y)") }
        let verdict = try #require(gram.convergence), reference = try #require(svd.convergence)
        #expect(verdict.converged && reference.converged)
        #expect(abs((verdict.scaledGradient ?? .nan) - (reference.scaledGradient ?? .nan)) <= 1e-8)
    }
}
