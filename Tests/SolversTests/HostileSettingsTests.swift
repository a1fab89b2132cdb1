import Foundation
import Testing
@testable import Solvers

/// Settings a manifest could give that must not reach a fit: NaN and ±∞ anywhere a solver
/// reads a number, and `max-iterations: 0`, which takes no step.
@Suite struct HostileSettingsTests {
    static let solvers = LeastSquaresSolverCatalog.kinds

    /// A decoder that reads "nan", "inf" and "-inf" strings as those numbers, as YAML's `.nan` would arrive.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    func fit(_ name: String, settings json: String, _ problem: LeastSquaresProblem) throws -> FitResult {
        let type = try #require(LeastSquaresSolverCatalog.registeredType(kind: name))
        return try fit(type, settings: json, problem)
    }

    func fit<Solver: LeastSquaresSolver>(_ type: Solver.Type, settings json: String, _ problem: LeastSquaresProblem) throws -> FitResult {
        Solver(configuration: try Self.decoder().decode(Solver.Configuration.self, from: Data(json.utf8))).fit(problem)
    }

    func rosenbrock() throws -> LeastSquaresProblem {
        let problem = try #require(mghProblems.first { $0.name == "rosenbrock" })
        return LeastSquaresProblem(map: problem.make(), initialParameters: problem.start)
    }

    @Test(arguments: solvers) func zeroIterationsReturnTheStartUnconverged(_ name: String) throws {
        let result = try fit(name, settings: #"{"max-iterations": 0}"#, try rosenbrock())
        #expect(result.status == .maximumIterations, "\(result.status)")
        #expect(!result.status.isConverged)
        #expect(result.iterations == 0)
        #expect(result.parameters == [-1.2, 1])
        #expect(result.cost == result.initialCost)
        #expect(result.message.contains("no step taken"), "\(result.message)")
    }

    @Test(arguments: solvers) func nonFiniteNumbersAreRefusedWhenDecoded(_ name: String) throws {
        for text in ["nan", "inf", "-inf"] {
            for key in ["gtol", "target-cost"] {
                #expect(throws: DecodingError.self, "\(name) \(key) = \(text)") {
                    _ = try fit(name, settings: #"{"\#(key)": "\#(text)"}"#, try rosenbrock())
                }
            }
        }
    }

    @Test func everySolverSpecificNumberIsChecked() throws {
        let decoder = Self.decoder()
        let cases: [(String, (Data) throws -> Void)] = [
            (#"{"ftol": "nan"}"#, { _ = try decoder.decode(LevenbergMarquardt.Configuration.self, from: $0) }),
            (#"{"initial-damping": "inf"}"#, { _ = try decoder.decode(LevenbergMarquardt.Configuration.self, from: $0) }),
            (#"{"geodesic-step": "nan"}"#, { _ = try decoder.decode(LevenbergMarquardt.Configuration.self, from: $0) }),
            (#"{"learning-rate": "inf"}"#, { _ = try decoder.decode(Adam.Configuration.self, from: $0) }),
            (#"{"learning-rate": "nan"}"#, { _ = try decoder.decode(GradientDescent.Configuration.self, from: $0) }),
            (#"{"c1": "nan"}"#, { _ = try decoder.decode(LBFGS.Configuration.self, from: $0) }),
            (#"{"armijo": "-inf"}"#, { _ = try decoder.decode(GaussNewton.Configuration.self, from: $0) }),
        ]
        for (json, decode) in cases {
            #expect(throws: DecodingError.self, "\(json)") { try decode(Data(json.utf8)) }
        }
        // Finite values still decode.
        let finite = try decoder.decode(LevenbergMarquardt.Configuration.self, from: Data(#"{"ftol": 1e-8, "initial-damping": 0.5}"#.utf8))
        #expect(finite.ftol == 1e-8 && finite.initialDamping == 0.5)
    }
}
