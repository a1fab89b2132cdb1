import Foundation
import Jacobians
import LinearAlgebra
import Solvers
import Testing

/// Straight-line data with known closed-form (weighted) least-squares answers.
struct LineData {
    var x: [Double]
    var y: [Double]
    var sigma: [Double]

    init(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        x = (0..<25).map { Double($0) * 0.4 }
        sigma = x.map { _ in 0.05 + generator.uniform() * 0.5 }
        y = zip(x, sigma).map { 1.7 - 0.8 * $0 + $1 * (generator.uniform() - 0.5) }
    }

    /// r = a + b x − y with parameters [a, b].
    var map: AnalyticResidualMap {
        let x = self.x, y = self.y
        return AnalyticResidualMap(parameters: 2, residuals: x.count, { p in zip(x, y).map { p[0] + p[1] * $0 - $1 } },
                                   jacobian: { _ in x.map { [1, $0] } })
    }
}

@Suite struct FitProblemTests {
    @Test func covarianceMatchesClosedFormLinearRegression() throws {
        let data = LineData(seed: 3)
        let result = LevenbergMarquardt().fit(LeastSquaresProblem(map: data.map, initialParameters: [0, 0]))
        let n = Double(data.x.count)
        let meanX = data.x.reduce(0, +) / n, meanY = data.y.reduce(0, +) / n
        let sxx = data.x.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) }
        let sxy = zip(data.x, data.y).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let slope = sxy / sxx, intercept = meanY - slope * meanX
        let sse = zip(data.x, data.y).reduce(0) { $0 + pow(intercept + slope * $1.0 - $1.1, 2) }
        let s2 = sse / (n - 2)
        #expect(abs(result.parameters[0] - intercept) < 1e-12)
        #expect(abs(result.parameters[1] - slope) < 1e-12)
        let covariance = try #require(result.covariance)
        #expect(abs(covariance.residualVariance - s2) <= 1e-10 * s2)
        #expect(abs(covariance.matrix[1][1] - s2 / sxx) <= 1e-10 * s2 / sxx)
        #expect(abs(covariance.matrix[0][0] - s2 * (1 / n + meanX * meanX / sxx)) <= 1e-10 * covariance.matrix[0][0])
        #expect(abs(covariance.matrix[0][1] + meanX * s2 / sxx) <= 1e-10 * abs(covariance.matrix[0][1]))
        #expect(abs(covariance.correlations[0][1] - covariance.matrix[0][1] / (covariance.standardErrors[0] * covariance.standardErrors[1])) < 1e-14)
        #expect(!covariance.isSingular && !covariance.isIllConditioned)
    }

    @Test func weightsDivideResidualsBySigma() {
        let data = LineData(seed: 4)
        let w = data.sigma.map { 1 / ($0 * $0) }
        // Weighted normal equations: [Σw Σwx; Σwx Σwx²][a b]ᵀ = [Σwy Σwxy]ᵀ.
        let sw = w.reduce(0, +), swx = zip(w, data.x).reduce(0) { $0 + $1.0 * $1.1 }
        let swxx = zip(w, data.x).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
        let swy = zip(w, data.y).reduce(0) { $0 + $1.0 * $1.1 }
        let swxy = zip(zip(w, data.x), data.y).reduce(0) { $0 + $1.0.0 * $1.0.1 * $1.1 }
        let expected = gaussianSolve([[sw, swx], [swx, swxx]], [swy, swxy])
        let result = LevenbergMarquardt().fit(
            LeastSquaresProblem(map: data.map, initialParameters: [0, 0], standardDeviations: data.sigma))
        #expect(abs(result.parameters[0] - expected[0]) < 1e-11)
        #expect(abs(result.parameters[1] - expected[1]) < 1e-11)
        let chiSquare = zip(zip(data.x, data.y), data.sigma).reduce(0) { $0 + pow((expected[0] + expected[1] * $1.0.0 - $1.0.1) / $1.1, 2) }
        #expect(abs(result.cost - 0.5 * chiSquare) <= 1e-10 * chiSquare)
    }

    @Test func fixedParametersKeepTheirValueAndTheRestIsFitted() throws {
        let data = LineData(seed: 5)
        let fixedSlope = -0.5
        let result = LevenbergMarquardt().fit(
            LeastSquaresProblem(map: data.map, initialParameters: [0, fixedSlope], fixedParameters: [1]))
        #expect(result.parameters[1] == fixedSlope)
        let expectedIntercept = zip(data.x, data.y).reduce(0) { $0 + $1.1 - fixedSlope * $1.0 } / Double(data.x.count)
        #expect(abs(result.parameters[0] - expectedIntercept) < 1e-12)
        let covariance = try #require(result.covariance)
        #expect(covariance.standardErrors[1] == 0)
        #expect(covariance.standardErrors[0] > 0)
    }

    @Test func malformedProblemsAreReportedNotCrashed() {
        let data = LineData(seed: 6)
        let wrongCount = LevenbergMarquardt().fit(LeastSquaresProblem(map: data.map, initialParameters: [0]))
        #expect(wrongCount.status == .invalidProblem)
        let badSigma = LevenbergMarquardt().fit(LeastSquaresProblem(
            map: data.map, initialParameters: [0, 0], standardDeviations: Array(repeating: 0, count: data.x.count)))
        #expect(badSigma.status == .invalidProblem)
        #expect(badSigma.message.contains("σ"))
    }

    @Test func resultCountsTimingsAndTrace() {
        let problem = mghProblems[0]
        let result = LevenbergMarquardt().fit(LeastSquaresProblem(map: problem.make(), initialParameters: problem.start))
        #expect(result.residualEvaluations == result.trace.count + 1)
        #expect(result.jacobianEvaluations == result.iterations + 1 || result.jacobianEvaluations == result.iterations + 2)
        #expect(result.timings.totalSeconds >= result.timings.residualSeconds + result.timings.jacobianSeconds)
        #expect(result.trace.map(\.elapsedSeconds) == result.trace.map(\.elapsedSeconds).sorted())
        #expect(result.cost < result.initialCost)
        #expect(result.linearSolverUse.values.reduce(0, +) >= result.iterations)
        #expect(FitIteration.csvHeader.split(separator: ",").count == result.trace[0].csvRow.split(separator: ",").count)
    }
}
