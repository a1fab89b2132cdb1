/// Why an inner (Krylov) solve of the matrix-free Levenberg-Marquardt stopped.
public enum InnerSolveStop: String, Sendable, Codable, Equatable, CaseIterable {
    /// The residual of the damped normal equations reached the tolerance.
    case tolerance
    /// The iteration cap (`max-inner-iterations`) was reached first.
    case iterationCap = "iteration-cap"
    /// The iteration could not go on: a non-positive or non-finite curvature (CG) or a zero
    /// or non-finite recurrence (LSMR); the step so far is kept.
    case breakdown

    /// The code written in `trace.csv`'s `inner_stop` column: 1 tolerance, 2 iteration cap,
    /// 3 breakdown (0 in rows without an inner solve).
    public var traceCode: Double {
        switch self {
        case .tolerance: 1
        case .iterationCap: 2
        case .breakdown: 3
        }
    }
}

/// What one inner solve did.
struct InnerSolveOutcome {
    /// Iterations taken (each one J̃·v and one J̃ᵀ·u).
    var iterations = 0
    /// Why it stopped.
    var stop = InnerSolveStop.tolerance
    /// ‖J̃ p‖² of the step returned, for the predicted reduction.
    var imageNormSquared = 0.0
}

/// A damped linear solver that never forms J̃ or J̃ᵀJ̃: for the damping λ and the scaling D it
/// approximates the Levenberg-Marquardt step
///
///     p = argmin ‖J̃ p + r‖² + λ‖D p‖²,   i.e. (J̃ᵀJ̃ + λD²) p = −g,  g = J̃ᵀr,
///
/// from products with J̃ and J̃ᵀ, starting from p = 0, until `maximumIterations` is reached or
/// both of these hold:
///
/// - its residual measure is at most `tolerance` relative to the gradient (see each solver);
/// - the damped model ½‖J̃p + r‖² + ½λ‖Dp‖² fell by at most ``modelDecreaseTolerance`` of its
///   value in the last iteration (CG: or its preconditioner predicts no more than that ahead).
///
/// The second test keeps a solve going while it still gains much of what the model predicts:
/// a gradient dominated by a few stiff directions (a network's output bias at a far start) is
/// reduced 1000-fold in two iterations, while the step still misses most of the cost the
/// Gauss-Newton model can remove. Near a minimum it holds after one iteration and leaves the
/// forcing term in charge.
protocol KrylovDampedSolver: AnyObject {
    /// `cg` or `lsmr`.
    var name: String { get }
    /// Solves into `step` (n values). `gaussNewtonDiagonal` is diag(J̃ᵀJ̃).
    func solve(
        jacobian: WeightedFreeJacobianOperator, residual: [Double], gradient: [Double], gaussNewtonDiagonal: [Double],
        scaling: [Double], damping: Double, tolerance: Double, maximumIterations: Int, into step: inout [Double]
    ) -> InnerSolveOutcome
}

extension KrylovDampedSolver {
    /// The largest decrease of the damped model, relative to its value, that ends an inner
    /// solve (together with the residual test): 1%.
    static var modelDecreaseTolerance: Double { 0.01 }
}

/// ⟨a, b⟩.
func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for index in a.indices { sum += a[index] * b[index] }
    return sum
}

/// Conjugate gradients on the damped normal equations (J̃ᵀJ̃ + λD²) p = −g with the Jacobi
/// preconditioner M = diag(J̃ᵀJ̃) + λD² (exact for a diagonal J̃ᵀJ̃: one iteration) or none,
/// M = I (`preconditioner: none`; ``LevenbergMarquardt/Preconditioner``). Stops when
/// ‖−g − (J̃ᵀJ̃ + λD²) p‖ ≤ tolerance·‖g‖ (the recursively updated residual s) and either the
/// iteration's model decrease ½α·sᵀM⁻¹s or the decrease still ahead as the preconditioner
/// predicts it, ½sᵀM⁻¹s of the new residual (exact when M is the system), is at most
/// ``KrylovDampedSolver/modelDecreaseTolerance`` of the model ½‖r‖² + gᵀp + ½pᵀ(J̃ᵀJ̃ + λD²)p. (The prediction alone overshoots when λ is small and some
/// diag(J̃ᵀJ̃) are tiny: M⁻¹ is then far larger than the system's inverse along them.)
/// Each iteration: one J̃·d, one J̃ᵀ(J̃d). ‖J̃p‖² comes from the residual without a
/// further product: pᵀ(J̃ᵀJ̃ + λD²)p = pᵀ(−g − s) for the CG residual s.
final class ConjugateGradientDampedSolver: KrylovDampedSolver {
    let name = "cg"
    /// Jacobi (M as above) or none (M = I).
    let preconditionerKind: LevenbergMarquardt.Preconditioner
    private var residualVector: [Double] = []
    private var preconditioned: [Double] = []
    private var direction: [Double] = []
    private var curvature: [Double] = []
    private var preconditioner: [Double] = []
    private var image: [Double] = []

    /// A solver with the preconditioner `preconditioner`.
    init(preconditioner: LevenbergMarquardt.Preconditioner = .jacobi) {
        preconditionerKind = preconditioner
    }

    func solve(
        jacobian: WeightedFreeJacobianOperator, residual: [Double], gradient: [Double], gaussNewtonDiagonal: [Double],
        scaling: [Double], damping: Double, tolerance: Double, maximumIterations: Int, into step: inout [Double]
    ) -> InnerSolveOutcome {
        let n = gradient.count
        for buffer in [\ConjugateGradientDampedSolver.residualVector, \.preconditioned, \.direction, \.curvature, \.preconditioner]
            where self[keyPath: buffer].count != n {
            self[keyPath: buffer] = Array(repeating: 0, count: n)
        }
        if step.count != n { step = Array(repeating: 0, count: n) }
        var outcome = InnerSolveOutcome()
        let gradientNorm = dot(gradient, gradient).squareRoot()
        let bound = tolerance * gradientNorm
        for j in 0..<n {
            step[j] = 0
            residualVector[j] = -gradient[j]
            let diagonal = gaussNewtonDiagonal[j] + damping * scaling[j] * scaling[j]
            preconditioner[j] = preconditionerKind == .jacobi && diagonal > 0 && diagonal.isFinite ? 1 / diagonal : 1
            preconditioned[j] = preconditioner[j] * residualVector[j]
            direction[j] = preconditioned[j]
        }
        var rz = dot(residualVector, preconditioned)
        if gradientNorm == 0 { return outcome }
        var model = 0.5 * dot(residual, residual)
        while true {
            if outcome.iterations >= maximumIterations {
                outcome.stop = .iterationCap
                break
            }
            jacobian.apply(direction, into: &image)
            jacobian.applyTransposed(image, into: &curvature)
            for j in 0..<n { curvature[j] += damping * scaling[j] * scaling[j] * direction[j] }
            let dq = dot(direction, curvature)
            guard dq > 0, dq.isFinite, rz.isFinite else {
                outcome.stop = .breakdown
                break
            }
            outcome.iterations += 1
            let alpha = rz / dq
            var residualSquared = 0.0
            for j in 0..<n {
                step[j] += alpha * direction[j]
                residualVector[j] -= alpha * curvature[j]
                residualSquared += residualVector[j] * residualVector[j]
            }
            let decrease = 0.5 * alpha * rz
            model -= decrease
            for j in 0..<n { preconditioned[j] = preconditioner[j] * residualVector[j] }
            let rzNext = dot(residualVector, preconditioned)
            let gainLeft = Self.modelDecreaseTolerance * max(model, 0)
            if residualSquared.squareRoot() <= bound, decrease <= gainLeft || 0.5 * rzNext <= gainLeft {
                outcome.stop = .tolerance
                break
            }
            let beta = rzNext / rz
            rz = rzNext
            for j in 0..<n { direction[j] = preconditioned[j] + beta * direction[j] }
        }
        // pᵀ(J̃ᵀJ̃ + λD²)p = pᵀ(−g − s), so ‖J̃p‖² = −pᵀ(g + s) − λ‖Dp‖².
        var quadratic = 0.0, dampingTerm = 0.0
        for j in 0..<n {
            quadratic -= step[j] * (gradient[j] + residualVector[j])
            let scaled = scaling[j] * step[j]
            dampingTerm += scaled * scaled
        }
        outcome.imageNormSquared = max(0, quadratic - damping * dampingTerm)
        return outcome
    }
}

/// LSMR (Fong & Saunders 2011) on the damped least-squares form
///
///     min ‖A y + r‖² + λ‖y‖²,   A = J̃ D⁻¹,   p = D⁻¹ y,
///
/// so its damping, which acts on its own variables y, is the LM damping λ‖D p‖²: the LM scaling
/// D is its (right) preconditioner. Stops when its estimate of ‖Aᵀ(−r − A y) − λ y‖ =
/// ‖D⁻¹(−g − (J̃ᵀJ̃ + λD²) p)‖ is at most tolerance·‖D⁻¹g‖ (its value at y = 0) and the
/// iteration lowered its estimate of ½(‖A y + r‖² + λ‖y‖²) (Fong & Saunders §3.3) by at most
/// ``KrylovDampedSolver/modelDecreaseTolerance`` of that value. Each iteration:
/// one J̃·v and one J̃ᵀ·u; ‖J̃p‖² takes one more J̃·p at the end.
final class LSMRDampedSolver: KrylovDampedSolver {
    let name = "lsmr"
    private var u: [Double] = []
    private var image: [Double] = []
    private var v: [Double] = []
    private var h: [Double] = []
    private var hbar: [Double] = []
    private var y: [Double] = []
    private var scaledVector: [Double] = []
    private var transposedImage: [Double] = []

    /// The stable Givens rotation (c, s, r) with r = √(a² + b²) (SciPy's `_sym_ortho`).
    static func rotation(_ a: Double, _ b: Double) -> (c: Double, s: Double, r: Double) {
        if b == 0 { return (a == 0 ? 1 : (a < 0 ? -1 : 1), 0, abs(a)) }
        if a == 0 { return (0, b < 0 ? -1 : 1, abs(b)) }
        if abs(b) > abs(a) {
            let tau = a / b
            let s = (b < 0 ? -1.0 : 1.0) / (1 + tau * tau).squareRoot()
            let c = s * tau
            return (c, s, b / s)
        }
        let tau = b / a
        let c = (a < 0 ? -1.0 : 1.0) / (1 + tau * tau).squareRoot()
        let s = c * tau
        return (c, s, a / c)
    }

    /// A v = J̃ (D⁻¹ v) into `image`.
    private func applyScaled(_ jacobian: WeightedFreeJacobianOperator, _ vector: [Double], scaling: [Double]) {
        for j in vector.indices { scaledVector[j] = vector[j] / scaling[j] }
        jacobian.apply(scaledVector, into: &image)
    }

    /// Aᵀu = D⁻¹ (J̃ᵀ u) into `transposedImage`.
    private func applyScaledTransposed(_ jacobian: WeightedFreeJacobianOperator, _ vector: [Double], scaling: [Double]) {
        jacobian.applyTransposed(vector, into: &transposedImage)
        for j in transposedImage.indices { transposedImage[j] /= scaling[j] }
    }

    func solve(
        jacobian: WeightedFreeJacobianOperator, residual: [Double], gradient: [Double], gaussNewtonDiagonal: [Double],
        scaling: [Double], damping: Double, tolerance: Double, maximumIterations: Int, into step: inout [Double]
    ) -> InnerSolveOutcome {
        let n = gradient.count, m = residual.count
        for buffer in [\LSMRDampedSolver.v, \.h, \.hbar, \.y, \.scaledVector, \.transposedImage] where self[keyPath: buffer].count != n {
            self[keyPath: buffer] = Array(repeating: 0, count: n)
        }
        if u.count != m { u = Array(repeating: 0, count: m) }
        if step.count != n { step = Array(repeating: 0, count: n) }
        var outcome = InnerSolveOutcome()
        let damp = damping.squareRoot()
        for i in 0..<m { u[i] = -residual[i] }
        var beta = dot(u, u).squareRoot()
        for j in 0..<n { y[j] = 0; step[j] = 0 }
        guard beta > 0 else { return outcome }
        for i in 0..<m { u[i] /= beta }
        applyScaledTransposed(jacobian, u, scaling: scaling)
        var alpha = dot(transposedImage, transposedImage).squareRoot()
        guard alpha > 0 else { return outcome }
        for j in 0..<n { v[j] = transposedImage[j] / alpha }
        // At y = 0 the normal residual is Aᵀ(−r) = −D⁻¹g, of norm α·β.
        let bound = tolerance * alpha * beta
        var zetabar = alpha * beta, alphabar = alpha
        var rho = 1.0, rhobar = 1.0, cbar = 1.0, sbar = 0.0
        // The ‖r̄‖ estimate of the damped least-squares residual: β̈, β̇, ρ̇, τ̃, θ̃, ζ and the sum d.
        var betaDoubleDot = beta, betaDot = 0.0, rhoDot = 1.0, tauTilde = 0.0, thetaTilde = 0.0, zetaPrevious = 0.0
        var checkedSum = 0.0
        var model = 0.5 * beta * beta
        for j in 0..<n { h[j] = v[j]; hbar[j] = 0 }
        while true {
            if outcome.iterations >= maximumIterations {
                outcome.stop = .iterationCap
                break
            }
            applyScaled(jacobian, v, scaling: scaling)
            for i in 0..<m { u[i] = image[i] - alpha * u[i] }
            beta = dot(u, u).squareRoot()
            if beta > 0 {
                for i in 0..<m { u[i] /= beta }
                applyScaledTransposed(jacobian, u, scaling: scaling)
                for j in 0..<n { v[j] = transposedImage[j] - beta * v[j] }
                alpha = dot(v, v).squareRoot()
                if alpha > 0 { for j in 0..<n { v[j] /= alpha } }
            }
            guard beta.isFinite, alpha.isFinite else {
                outcome.stop = .breakdown
                break
            }
            outcome.iterations += 1
            let (chat, shat, alphahat) = Self.rotation(alphabar, damp)
            let rhoold = rho
            let (c, s, rhoNew) = Self.rotation(alphahat, beta)
            rho = rhoNew
            let thetanew = s * alpha
            alphabar = c * alpha
            let rhobarold = rhobar
            let thetabar = sbar * rho
            let (cbarNew, sbarNew, rhobarNew) = Self.rotation(cbar * rho, thetanew)
            cbar = cbarNew
            sbar = sbarNew
            rhobar = rhobarNew
            let zeta = cbar * zetabar
            zetabar = -sbar * zetabar
            let hbarScale = -(thetabar * rho / (rhoold * rhobarold))
            let yScale = zeta / (rho * rhobar)
            let hScale = -(thetanew / rho)
            guard hbarScale.isFinite, yScale.isFinite, hScale.isFinite else {
                outcome.stop = .breakdown
                break
            }
            for j in 0..<n {
                hbar[j] = h[j] + hbarScale * hbar[j]
                y[j] += yScale * hbar[j]
                h[j] = v[j] + hScale * h[j]
            }
            // ‖r̄ₖ‖² = d + (β̇ₖ − τ̇ₖ)² + β̈ₖ₊₁² (Fong & Saunders 2011, §3.3).
            let betaAcute = chat * betaDoubleDot
            let betaCheck = -shat * betaDoubleDot
            let betaHat = c * betaAcute
            betaDoubleDot = -s * betaAcute
            let thetaTildePrevious = thetaTilde
            let (cTilde, sTilde, rhoTilde) = Self.rotation(rhoDot, thetabar)
            thetaTilde = sTilde * rhobar
            rhoDot = cTilde * rhobar
            betaDot = -sTilde * betaDot + cTilde * betaHat
            tauTilde = (zetaPrevious - thetaTildePrevious * tauTilde) / rhoTilde
            let tauDot = (zeta - thetaTilde * tauTilde) / rhoDot
            zetaPrevious = zeta
            checkedSum += betaCheck * betaCheck
            let nextModel = 0.5 * (checkedSum + (betaDot - tauDot) * (betaDot - tauDot) + betaDoubleDot * betaDoubleDot)
            let decrease = model - nextModel
            model = nextModel
            if abs(zetabar) <= bound, !(decrease > Self.modelDecreaseTolerance * model) {
                outcome.stop = .tolerance
                break
            }
            if beta == 0 || alpha == 0 {
                // The Krylov space is exhausted: y is the exact solution.
                outcome.stop = .tolerance
                break
            }
        }
        for j in 0..<n { step[j] = y[j] / scaling[j] }
        jacobian.apply(step, into: &image)
        outcome.imageNormSquared = dot(image, image)
        return outcome
    }
}
