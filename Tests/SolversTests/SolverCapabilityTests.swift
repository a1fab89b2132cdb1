import Jacobians
import LinearAlgebra
import Solvers
import Testing

/// r(x) = A x − b; with the default `coupling` A's columns are nearly dependent (its
/// equilibrated JᵀJ has a reciprocal condition far below 1e-10), optionally suggesting solver settings and assembling its own
/// normal equations — a model kind the solvers have never heard of.
private final class LinearResiduals: DifferentiableMap, LeastSquaresHinting, NormalEquationsAssembling {
    let a: Matrix
    let b: [Double]
    let leastSquaresHints: LeastSquaresHints
    let assembles: Bool
    /// Assemblies performed through ``makeNormalEquationsAssembler()``'s assembler.
    var assemblies = 0

    init(hints: LeastSquaresHints, assembles: Bool, coupling: Double = 1e-7) {
        var rows: [[Double]] = []
        for i in 0..<12 {
            let t = Double(i) / 11
            rows.append([1, t, t + coupling * t * t, t * t * t])
        }
        a = Matrix(rows)
        b = (0..<12).map { Double($0 % 3) - 0.5 }
        leastSquaresHints = hints
        self.assembles = assembles
    }

    var inputCount: Int { a.columns }
    var outputCount: Int { a.rows }

    func evaluate(at point: [Double], into output: inout [Double]) {
        output = (0..<a.rows).map { i in (0..<a.columns).reduce(-b[i]) { $0 + a[i, $1] * point[$1] } }
    }

    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) { multiply(a, tangents, into: &result) }

    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) { multiply(cotangents, a, into: &result) }

    func makeNormalEquationsAssembler() -> (any NormalEquationsAssembler)? { assembles ? Assembler(map: self) : nil }

    /// JᵀJ = AᵀA and Jᵀr = Aᵀr, entry by entry.
    final class Assembler: NormalEquationsAssembler {
        let map: LinearResiduals
        init(map: LinearResiduals) { self.map = map }
        var parameterCount: Int { map.a.columns }
        func formFactors(at point: [Double]) {}
        func assemble(residuals: [Double], gram: inout Matrix, gradient: inout [Double]) {
            let n = parameterCount, m = map.a.rows
            gram.reshape(rows: n, columns: n)
            gradient = Array(repeating: 0, count: n)
            for j in 0..<n {
                for k in 0..<n { gram[j, k] = (0..<m).reduce(0) { $0 + map.a[$1, j] * map.a[$1, k] } }
                gradient[j] = (0..<m).reduce(0) { $0 + map.a[$1, j] * residuals[$1] }
            }
            map.assemblies += 1
        }
    }
}

/// Solvers take a model's fast paths and defaults through capabilities, never by its type.
@Suite struct SolverCapabilityTests {
    private func fit(_ map: LinearResiduals, _ configure: (inout LevenbergMarquardt.Configuration) -> Void = { _ in }) -> FitResult {
        var configuration = LevenbergMarquardt.Configuration()
        configure(&configuration)
        let problem = LeastSquaresProblem(map: map, initialParameters: [0, 0, 0, 0], jacobianStrategy: ForwardVectorized())
        return LevenbergMarquardt(configuration: configuration).fit(problem)
    }

    @Test func theProblemTakesTheMapsOwnHintsUnlessGivenOthers() {
        let hints = LeastSquaresHints(damping: .nielsen, initialDamping: 1e-5, choleskyMinimumReciprocalCondition: 0)
        let map = LinearResiduals(hints: hints, assembles: false)
        #expect(LeastSquaresProblem(map: map, initialParameters: [0, 0, 0, 0]).hints == hints)
        #expect(LeastSquaresProblem(map: map, initialParameters: [0, 0, 0, 0], hints: .solverDefaults).hints == .solverDefaults)
        let plain = AnalyticResidualMap(parameters: 1, residuals: 1, { x in x }, jacobian: { _ in [[1]] })
        #expect(LeastSquaresProblem(map: plain, initialParameters: [0]).hints == .solverDefaults)
    }

    /// Its JᵀJ is too ill-conditioned for the certified rule (QR), but a hint of 0 keeps the
    /// normal equations; an explicit setting beats the hint.
    @Test func aConditionHintChoosesTheNormalEquationsAndASettingOverridesIt() {
        let certified = fit(LinearResiduals(hints: .solverDefaults, assembles: false))
        #expect(certified.linearSolverUse["qr", default: 0] > 0, "\(certified.linearSolverUse)")
        let hinted = fit(LinearResiduals(hints: LeastSquaresHints(choleskyMinimumReciprocalCondition: 0), assembles: false))
        #expect(hinted.linearSolverUse["qr"] == nil && hinted.linearSolverUse["cholesky", default: 0] > 0, "\(hinted.linearSolverUse)")
        let overridden = fit(LinearResiduals(hints: LeastSquaresHints(choleskyMinimumReciprocalCondition: 0), assembles: false)) {
            $0.choleskyMinimumReciprocalCondition = 1e-10
        }
        #expect(overridden.linearSolverUse["qr", default: 0] > 0, "\(overridden.linearSolverUse)")
    }

    /// A map that assembles its own normal equations gets the structured path under the
    /// conditions of `normal-equations: auto` (always the normal equations, either damping
    /// rule, no geodesic acceleration), and reaches the same least-squares cost as from its
    /// Jacobian.
    @Test func aMapThatAssemblesItsNormalEquationsIsFittedWithoutJ() {
        let hints = LeastSquaresHints(damping: .nielsen, choleskyMinimumReciprocalCondition: 0)
        let assembling = LinearResiduals(hints: hints, assembles: true, coupling: 0.5)
        let structured = fit(assembling)
        #expect(assembling.assemblies > 0)
        #expect(structured.normalEquations["structured", default: 0] == assembling.assemblies)
        let fromJacobian = fit(LinearResiduals(hints: hints, assembles: false, coupling: 0.5))
        #expect(fromJacobian.normalEquations["structured"] == nil)
        #expect(abs(structured.cost - fromJacobian.cost) <= 1e-10 * fromJacobian.cost, "\(structured.cost) vs \(fromJacobian.cost)")
        let trustRegion = LinearResiduals(hints: LeastSquaresHints(damping: .trustRegion, choleskyMinimumReciprocalCondition: 0), assembles: true, coupling: 0.5)
        let underTrustRegion = fit(trustRegion)
        #expect(trustRegion.assemblies > 0 && underTrustRegion.normalEquations["from-jacobian"] == nil, "\(underTrustRegion.normalEquations)")
        #expect(abs(underTrustRegion.cost - fromJacobian.cost) <= 1e-10 * fromJacobian.cost)
        let declined = LinearResiduals(hints: hints, assembles: true)
        _ = fit(declined) { $0.geodesicAcceleration = true }
        #expect(declined.assemblies == 0, "geodesic acceleration needs J")
    }
}
