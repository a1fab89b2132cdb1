import NeuralNetworks

/// Activations as manifest choices (`activation: tanh`).
extension Activation: StageOptionChoice {
    /// "activation".
    public static var choiceKind: String { "activation" }
    /// tanh, sigmoid, relu, softplus, gelu, identity.
    public static var choiceNames: [String] { allCases.map(\.rawValue) }
    /// The activation called `choiceName`, aliases included (`linear`, `gelu-tanh`).
    public init?(choiceName: String) { self.init(name: choiceName) }
    /// Its manifest name.
    public var choiceName: String { rawValue }
}

/// Weight initializations as manifest choices (`initialization: glorot`).
extension ParameterInitialization: StageOptionChoice {
    /// "initialization".
    public static var choiceKind: String { "initialization" }
    /// glorot, he, uniform.
    public static var choiceNames: [String] { ["glorot", "he", "uniform"] }
    /// The initialization called `choiceName`, aliases included (`xavier`, `kaiming`).
    public init?(choiceName: String) { self.init(name: choiceName) }
    /// Its manifest name.
    public var choiceName: String {
        switch self {
        case .glorot: "glorot"
        case .he: "he"
        case .uniform: "uniform"
        }
    }
}
