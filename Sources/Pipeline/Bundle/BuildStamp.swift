/// The commit of the jacobench checkout this binary was built from, and whether its tracked
/// files differed from that commit, fixed at build time.
///
/// `BuildStamp.current` is generated before every build by the `BuildStamp` build-tool plugin
/// (Plugins/BuildStamp, which runs scripts/build-stamp.sh), so `swift build`, `swift test` and
/// every `make` target stamp alike; the file is rewritten only when the commit or the flag
/// changes. environment.json records it as `build_commit` and `build_dirty` (results/README.md):
/// unlike `commit`, asked of the checkout when the run starts, it cannot name a commit checked out
/// after the build. Both are nil ("unknown") for a build outside a git checkout.
public struct BuildStamp: Sendable, Equatable {
    /// The full hexadecimal commit id of HEAD at build time; nil when unknown.
    public var commit: String?
    /// Whether tracked files had uncommitted changes at build time; nil when unknown.
    public var dirty: Bool?

    /// A stamp of these values (the generated file makes ``current``; tests make others).
    public init(commit: String?, dirty: Bool?) {
        self.commit = commit
        self.dirty = dirty
    }

    /// `3e45cb2f1a0c` or `3e45cb2f1a0c (dirty)`, `unknown` without a commit: for messages.
    public var shortDescription: String {
        guard let commit else { return "unknown" }
        return String(commit.prefix(12)) + (dirty == true ? " (dirty)" : "")
    }
}
