import Pipeline

/// The version the CLI reports with `--version`.
enum JacobenchVersion {
    /// Semantic version of this build.
    static let current = "0.1.0"

    /// `0.1.0 (build 3e45cb2f1a0c (dirty))`: the version and the commit this binary was built
    /// from (``BuildStamp``; `unknown` outside a git checkout).
    static let described = "\(current) (build \(BuildStamp.current.shortDescription))"
}
