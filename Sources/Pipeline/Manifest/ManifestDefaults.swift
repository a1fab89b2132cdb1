import YAMLDecoding

/// Every default of a manifest's top-level fields, in one place (stage options have theirs
/// in each plugin's `options` table; `jacobench list` prints both).
///
/// Applied to the YAML tree before decoding, so `resolved.json` shows the values a run
/// actually used.
public enum ManifestDefaults {
    /// The defaults as YAML text; this is also what docs print.
    public static let text = """
        description: ""
        seed: 0
        replicates: 1
        jacobian:
          with-respect-to: parameters
          strategies: all
          reference: forward-vectorized
        solver: null
        evaluation: []
        limits:
          memory-cap: null
          time-budget: null
          chunk-above: 256 MiB
          max-cases: 100000
        """

    /// One line per defaulted field for `jacobench list`: `jacobian.reference = forward-vectorized`.
    public static let documentation: [(key: String, value: String, meaning: String)] = [
        ("description", "\"\"", "free text shown in summary.md"),
        ("seed", "0", "base seed; a case's data seed hashes it with the replicate and the resolved data section, its θ₀ seed with the replicate and the resolved model section"),
        ("replicates", "1", "independent starts per sweep case (replicate k = 0 … N−1 enters both seeds; ids get `replicate=k` when N > 1)"),
        ("jacobian.with-respect-to", "parameters", "parameters (fitting) or inputs (sensitivity)"),
        ("jacobian.strategies", "all", "`all` or a list of names / {name: forward-vectorized, chunk: 16}"),
        ("jacobian.reference", "forward-vectorized", "the strategy accuracy is measured against"),
        ("jacobian.auto", "(unset)", "unset: `auto` picks the cheapest exact strategy by the cost model's counts (deterministic); NAME or {pin: NAME} pins it; {calibrate: true} decides by timing on this machine"),
        ("solver", "null", "no fit; evaluations run at the model's initial parameters"),
        ("evaluation", "[]", "list of {kind: …} evaluations"),
        ("limits.memory-cap", "null", "e.g. 2 GiB: a strategy or case predicted to need more is recorded as skipped, not run; unset, the budget is min(physical memory, cgroup limit) and data or a model over it is an error"),
        ("limits.time-budget", "null", "e.g. 2 min per case: predicted longer → skipped; strategies left when it runs out → skipped"),
        ("limits.chunk-above", "256 MiB", "vectorized strategies without `chunk` are chunked to stay under this (and the cap)"),
        ("limits.max-cases", "100000", "most cases a plan may have (sweep combinations × replicates), checked from the sweep's shape before anything is expanded"),
        ("sweep", "(none)", "grid over dotted keys; each value a list of alternatives"),
    ]

    /// The defaults tree.
    static func node() throws -> YAMLNode {
        try YAMLParser.parse(text, file: "<manifest defaults>")
    }
}
