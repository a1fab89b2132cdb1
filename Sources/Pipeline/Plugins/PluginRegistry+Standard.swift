/// The built-in plugins: one line per plugin.
extension PluginRegistry {
    /// Every plugin shipped with Jacobench.
    public static let standard: PluginRegistry = {
        var registry = PluginRegistry()
        // data
        registry.register(NISTData.self)
        // models
        registry.register(FormulaModelStage.self)
        // evaluations
        registry.register(FitEvaluation.self)
        registry.register(NISTCertifiedEvaluation.self)
        return registry
    }()
}
