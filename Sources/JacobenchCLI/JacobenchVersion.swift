/// The version the CLI reports with `--version`.
enum JacobenchVersion {
    /// Semantic version of this build.
    static let current = "0.1.0"
}
