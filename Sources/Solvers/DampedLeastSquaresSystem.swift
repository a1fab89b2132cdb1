import LinearAlgebra

/// The linear algebra behind the Levenberg-Marquardt steps of one Jacobian: after
/// ``factor(jacobian:residual:diagonal:)`` it returns, for any damping λ ≥ 0,
///
///     p(λ) = argmin ‖J p + b‖² + λ‖D p‖²,   i.e. (JᵀJ + λD²) p = −Jᵀb,
///
/// with b the residual (or another right-hand side, for geodesic acceleration), and the
/// norm ‖S⁻ᵀv‖ (SᵀS = JᵀJ + λD²) that Moré's Newton iteration for λ needs. For λ = 0 and a
/// rank-deficient J the step is the rank-truncated Gauss-Newton step.
protocol DampedLeastSquaresSystem: AnyObject {
    /// `qr`, `cholesky` or `svd`.
    var name: String { get }
    /// Factors J (m × n, row-major) once and projects the residual; `gradient` is Jᵀr, which
    /// the caller has already computed (the normal equations use it as their right-hand
    /// side). False when the factorization failed (the caller tries another system).
    func factor(jacobian: Matrix, residual: [Double], gradient: [Double], diagonal: [Double]) -> Bool
    /// Whether J has full numerical column rank.
    var isFullRank: Bool { get }
    /// Writes p(λ) into `step` (n values).
    func solve(damping: Double, diagonal: [Double], into step: inout [Double])
    /// ‖S⁻ᵀ v‖ for the damping of the most recent ``solve(damping:diagonal:into:)``.
    func inverseFactorNorm(_ v: [Double], diagonal: [Double]) -> Double
    /// Makes later solves use b = `rightHandSide` (m values) instead of the residual;
    /// `jacobian` is the J last factored (systems that keep no copy of J need it for Jᵀb).
    func useRightHandSide(_ rightHandSide: [Double], jacobian: Matrix)
    /// Makes later solves use the residual again.
    func useResidual()
    /// Seconds spent so far forming JᵀJ (0 for systems that never form it).
    var gramSeconds: Double { get }
    /// Seconds spent so far in factorizations (of J, or of JᵀJ + λD² for each λ).
    var factorizationSeconds: Double { get }
}

/// Accumulates the wall time of the timed sections of a ``DampedLeastSquaresSystem``
/// (two clock reads per section; nothing allocated).
struct SectionClock {
    private let clock = ContinuousClock()
    /// Total seconds of every ``time(_:)`` call so far.
    private(set) var seconds = 0.0

    /// Runs `body` and adds its wall time.
    mutating func time<T>(_ body: () -> T) -> T {
        let begin = clock.now
        defer {
            let parts = (clock.now - begin).components
            seconds += Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
        }
        return body()
    }

    /// Takes back `seconds` of a timed section that belonged to other work.
    mutating func exclude(_ seconds: Double) { self.seconds -= seconds }
}

/// Moré's (1978) choice of the Levenberg-Marquardt parameter λ for a trust region of
/// radius Δ (MINPACK `lmpar`): returns λ and p(λ) with ‖D p‖ within 10 % of Δ, or λ = 0
/// when the Gauss-Newton step is already inside 1.1·Δ. At most 10 factor solves.
///
/// - Parameters:
///   - damping: on entry an initial guess (the previous λ), on exit the λ used.
///   - gradient: g = Jᵀr, for the upper bound ‖D⁻¹g‖/Δ.
func trustRegionStep(
    system: any DampedLeastSquaresSystem, diagonal: [Double], radius delta: Double,
    gradient: [Double], damping par: inout Double, step x: inout [Double], scratch v: inout [Double]
) {
    let n = diagonal.count
    let dwarf = Double.leastNormalMagnitude
    system.solve(damping: 0, diagonal: diagonal, into: &x)
    var dxnorm = scaledNorm(x, diagonal)
    var fp = dxnorm - delta
    if fp <= 0.1 * delta {
        par = 0
        return
    }
    var parl = 0.0
    if system.isFullRank && dxnorm.isFinite {
        for j in 0..<n { v[j] = diagonal[j] * (diagonal[j] * x[j] / dxnorm) }
        let t = system.inverseFactorNorm(v, diagonal: diagonal)
        parl = ((fp / delta) / t) / t
        if !parl.isFinite { parl = 0 }
    }
    var gnorm = 0.0
    for j in 0..<n { v[j] = gradient[j] / diagonal[j] }
    gnorm = euclideanNorm(v)
    var paru = gnorm / delta
    if paru == 0 { paru = dwarf / min(delta, 0.1) }
    par = max(par, parl)
    par = min(par, paru)
    if par == 0 { par = dxnorm.isFinite ? gnorm / dxnorm : paru }
    var iteration = 0
    while true {
        iteration += 1
        if par == 0 { par = max(dwarf, 0.001 * paru) }
        system.solve(damping: par, diagonal: diagonal, into: &x)
        dxnorm = scaledNorm(x, diagonal)
        let previous = fp
        fp = dxnorm - delta
        if abs(fp) <= 0.1 * delta || (parl == 0 && fp <= previous && previous < 0) || iteration == 10 { break }
        for j in 0..<n { v[j] = diagonal[j] * (diagonal[j] * x[j] / dxnorm) }
        let t = system.inverseFactorNorm(v, diagonal: diagonal)
        let parc = ((fp / delta) / t) / t
        if fp > 0 { parl = max(parl, par) }
        if fp < 0 { paru = min(paru, par) }
        par = max(parl, par + parc)
    }
}

/// ‖D x‖.
func scaledNorm(_ x: [Double], _ diagonal: [Double]) -> Double {
    var scale = 0.0, sum = 1.0
    for j in 0..<x.count {
        let value = abs(diagonal[j] * x[j])
        if value == 0 { continue }
        if scale < value {
            sum = 1 + sum * (scale / value) * (scale / value)
            scale = value
        } else {
            sum += (value / scale) * (value / scale)
        }
    }
    if !scale.isFinite { return scale }
    return scale * sum.squareRoot()
}
