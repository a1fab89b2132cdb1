import ComplexModule
import NeuralNetworks
import Testing
import _Differentiation

@Suite struct ActivationTests {
    static let grid: [Double] = stride(from: -4.0, through: 4.0, by: 0.37).map { $0 }

    @Test(arguments: Activation.allCases)
    func derivativeMatchesCentralDifferences(_ activation: Activation) {
        for z in Self.grid where activation != .relu || abs(z) > 1e-3 {
            let h = 1e-5
            let estimate = (activation.value(z + h) - activation.value(z - h)) / (2 * h)
            #expect(abs(activation.derivative(z) - estimate) <= 1e-8, "\(activation) at \(z)")
        }
    }

    @Test(arguments: Activation.allCases)
    func complexValueExtendsTheRealValue(_ activation: Activation) {
        for z in Self.grid {
            let complex = activation.complexValue(Complex<Double>(z))
            #expect(abs(complex.real - activation.value(z)) <= 1e-15 * max(1, abs(z)))
            // Complex step recovers the derivative.
            let step = activation.complexValue(Complex<Double>(z, 1e-20)).imaginary / 1e-20
            if activation != .relu || abs(z) > 1e-3 {
                #expect(abs(step - activation.derivative(z)) <= 1e-14, "\(activation) at \(z)")
            }
        }
    }

    @Test func namesAndAliasesParse() {
        #expect(Activation(name: "gelu-tanh") == .gelu)
        #expect(Activation(name: "linear") == .identity)
        #expect(Activation(name: "softplus") == .softplus)
        #expect(Activation(name: "swish") == nil)
    }

    @Test func softplusIsStableForLargeArguments() {
        #expect(Activation.softplus.value(800) == 800)
        #expect(Activation.softplus.value(-800) == 0)
        #expect(Activation.softplus.value(0) == 0.6931471805599453)
    }
}
