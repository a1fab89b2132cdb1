import Jacobians
import Solvers

/// The built-in plugins: one line per plugin.
extension PluginRegistry {
    /// Every plugin shipped with Jacobench.
    public static let standard: PluginRegistry = {
        var registry = PluginRegistry()
        // data
        registry.register(TeacherMLPData.self)
        registry.register(FunctionData.self)
        registry.register(CSVData.self)
        registry.register(NISTData.self)
        // models
        registry.register(MLPModelStage.self)
        registry.register(FormulaModelStage.self)
        // solvers: every solver of the catalog, each as a stage
        for solver in LeastSquaresSolverCatalog.registered { registry.registerStage(of: solver) }
        // evaluations
        registry.register(JacobianAccuracyEvaluation.self)
        registry.register(JacobianTimingEvaluation.self)
        registry.register(FitEvaluation.self)
        registry.register(NISTCertifiedEvaluation.self)
        registry.register(PeerComparisonEvaluation.self)
        // strategies manifests may name
        registry.strategies = JacobianStrategyCatalog.entries.map { ($0.name, "\($0.summary) — \($0.cost)") }
        return registry
    }()
}

extension PluginRegistry {
    /// Registers `solver` as the solver stage of its kind.
    mutating func registerStage<Solver: LeastSquaresSolver>(of solver: Solver.Type) {
        register(LeastSquaresSolverStage<Solver>.self)
    }
}
