import YAMLDecoding

/// One `sweep:` entry: a dotted key and the alternatives it takes.
public struct SweepAxis: Sendable, Equatable {
    /// The dotted key as written (`model.layers`).
    public var key: String
    /// Its segments.
    public var path: [String]
    /// Where the key was written.
    public var keyLocation: SourceLocation
    /// The alternatives, in the order written (each may be a whole sub-document).
    public var values: [YAMLNode]

    /// The top-level manifest fields a sweep may vary.
    static let sweepableFields = ["description", "seed", "data", "model", "jacobian", "solver", "evaluation", "limits"]

    /// Reads the `sweep:` mapping; each key must start at a sweepable field and each value
    /// must be a non-empty list.
    static func axes(from sweep: YAMLNode) throws -> [SweepAxis] {
        guard case .mapping(let entries, _) = sweep else {
            if sweep.isNull { return [] }
            throw YAMLError(location: sweep.location, keyPath: "sweep", message: "expected a mapping of dotted keys to lists of values, got \(sweep.summary)")
        }
        return try entries.map { entry in
            let path = YAMLNode.pathComponents(entry.key)
            guard let first = path.first, sweepableFields.contains(first), !path.contains("") else {
                let suggestion = KeySuggestion.closest(to: path.first ?? entry.key, among: sweepableFields)
                    .map { " (did you mean '\(([$0] + path.dropFirst()).joined(separator: "."))'?)" } ?? ""
                throw YAMLError(
                    location: entry.keyLocation, keyPath: "sweep." + entry.key,
                    message: "sweep key '\(entry.key)' names no field\(suggestion); it must start with one of \(sweepableFields.joined(separator: ", "))")
            }
            guard case .sequence(let values, _) = entry.value else {
                throw YAMLError(location: entry.value.location, keyPath: "sweep." + entry.key, message: "expected a list of alternatives, got \(entry.value.summary)")
            }
            guard !values.isEmpty else {
                throw YAMLError(location: entry.value.location, keyPath: "sweep." + entry.key, message: "empty sweep: give at least one value")
            }
            var seen = Set<String>()
            for value in values where !seen.insert(value.jsonValue.canonicalText).inserted {
                throw YAMLError(location: value.location, keyPath: "sweep." + entry.key, message: "duplicate sweep value \(value.jsonValue.canonicalText)")
            }
            return SweepAxis(key: entry.key, path: path, keyLocation: entry.keyLocation, values: values)
        }
    }

    /// Every combination, first axis outermost (the last axis varies fastest); one empty
    /// assignment when there are no axes.
    static func grid(_ axes: [SweepAxis]) -> [[(axis: SweepAxis, value: YAMLNode)]] {
        var combinations: [[(axis: SweepAxis, value: YAMLNode)]] = [[]]
        for axis in axes {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [(axis, $0)] } }
        }
        return combinations
    }
}
