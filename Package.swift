// swift-tools-version: 6.1
// Jacobench: Jacobians of small networks and formula models by every strategy,
// measured side by side, and a Levenberg-Marquardt solver that uses the fastest.
import PackageDescription

let package = Package(
    name: "Jacobench",
    products: [
        .library(name: "Jacobench", targets: ["Jacobench"]),
        .executable(name: "jacobench", targets: ["JacobenchCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // C libraries from Debian.
        .systemLibrary(
            name: "CBLASLapack",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),

        // Foundations.
        // Elementwise kernels compiled for baseline x86-64 and AVX2 + FMA, chosen at run time.
        .target(name: "CNumericKernels"),
        .target(name: "LinearAlgebra", dependencies: ["CBLASLapack"]),
        // Untrusted text shown in error messages: cut and escaped.
        .target(name: "MessageText"),
        // JSON values: result bundles, resolved manifests.
        .target(name: "JSONDocuments"),
        .target(name: "YAMLDecoding", dependencies: ["CYAML", "JSONDocuments", "MessageText"]),

        // The Jacobian engine and the models it differentiates.
        .target(
            name: "Jacobians",
            dependencies: ["LinearAlgebra", "CNumericKernels", "MessageText", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .target(
            name: "NeuralNetworks",
            dependencies: ["LinearAlgebra", "Jacobians", "CBLASLapack", "CNumericKernels", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .target(
            name: "FormulaModels",
            dependencies: ["LinearAlgebra", "Jacobians", "MessageText", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .target(
            name: "Datasets",
            dependencies: ["LinearAlgebra", "Jacobians", "FormulaModels", "NeuralNetworks", "MessageText", "JSONDocuments"]
        ),

        // Fitting.
        .target(name: "Solvers", dependencies: ["LinearAlgebra", "Jacobians"]),

        // The experiment pipeline, its reports, and the command line.
        .target(name: "Reports", dependencies: []),
        // Before every build: the checkout's commit and dirty flag as Pipeline's BuildStamp.current
        // (git and sh, offline; the generated file changes only when they do).
        .plugin(name: "BuildStamp", capability: .buildTool()),
        .target(
            name: "Pipeline",
            dependencies: [
                "LinearAlgebra", "JSONDocuments", "YAMLDecoding", "Jacobians", "NeuralNetworks",
                "FormulaModels", "Datasets", "Solvers", "Reports", "MessageText", .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["BuildStamp"]
        ),
        .target(
            name: "Jacobench",
            dependencies: ["LinearAlgebra", "Jacobians", "NeuralNetworks", "FormulaModels", "Datasets", "Solvers"]
        ),
        .executableTarget(
            name: "JacobenchCLI",
            dependencies: ["Pipeline", "LinearAlgebra", "JSONDocuments", "YAMLDecoding", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // The engine as a library: a user's own model and a few strategies.
        .executableTarget(name: "JacobianExample", dependencies: ["Jacobench"], path: "Examples/JacobianExample"),

        // `make bench`: every Jacobian strategy timed in forward-pass units.
        .executableTarget(name: "JacobianBenchmark", dependencies: ["Jacobench", "CBLASLapack"]),

        // `make alloc-check`: LM for a fixed iteration count under valgrind's DHAT.
        .executableTarget(name: "AllocationProbe", dependencies: ["Jacobench"]),

        // A user-defined model fitted with the library API, no manifest.
        .executableTarget(name: "FitExample", dependencies: ["Jacobench"], path: "Examples/FitExample"),

        // A model given as a plain Swift closure, fitted in one line (CurveFit).
        .executableTarget(
            name: "CurveFitExample", dependencies: ["Jacobench", .product(name: "Numerics", package: "swift-numerics")],
            path: "Examples/CurveFitExample"),

        // Tests (Swift Testing).
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "JSONDocumentsTests", dependencies: ["JSONDocuments"]),
        .testTarget(name: "YAMLDecodingTests", dependencies: ["YAMLDecoding", "JSONDocuments"]),
        .testTarget(
            name: "JacobiansTests",
            dependencies: ["Jacobians", "NeuralNetworks", "FormulaModels", "LinearAlgebra", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "NeuralNetworksTests",
            dependencies: ["NeuralNetworks", "Jacobians", "LinearAlgebra", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(name: "FormulaModelsTests", dependencies: ["FormulaModels", "Jacobians", "LinearAlgebra"]),
        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "FormulaModels", "NeuralNetworks", "Jacobians", "LinearAlgebra", "MessageText"]),
        .testTarget(name: "SolversTests", dependencies: ["Solvers", "Jacobians", "LinearAlgebra", "FormulaModels", "Datasets", "NeuralNetworks"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "JSONDocuments", "YAMLDecoding", "Datasets", "Jacobians", "LinearAlgebra", "NeuralNetworks", "Reports"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"], exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
