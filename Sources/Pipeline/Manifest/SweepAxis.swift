import Foundation
import YAMLDecoding
import MessageText

/// One `sweep:` entry: a dotted key and the alternatives it takes.
///
/// A key may link several dotted keys with commas (`"data.layers, model.layers"`): they vary
/// together, and each alternative is a list with one value per linked key, in order — how a
/// sweep changes the data's and the model's widths in step.
public struct SweepAxis: Sendable, Equatable {
    /// The key as written (`model.layers`, or linked keys `data.layers, model.layers`).
    public var key: String
    /// The segments of the first (or only) key.
    public var path: [String]
    /// The segments of every linked key (one entry for a plain key).
    public var linkedPaths: [[String]]
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
            let keys = entry.key.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let paths = keys.map { YAMLNode.pathComponents($0) }
            for (key, path) in zip(keys, paths) {
                guard let first = path.first, sweepableFields.contains(first), !path.contains("") else {
                    let suggestion = KeySuggestion.closest(to: path.first ?? key, among: sweepableFields)
                        .map { " (did you mean '\(([$0] + path.dropFirst()).joined(separator: "."))'?)" } ?? ""
                    throw YAMLError(
                        location: entry.keyLocation, keyPath: "sweep." + entry.key,
                        message: "sweep key \(QuotedText.quoted(key)) names no field\(suggestion); it must start with one of \(sweepableFields.joined(separator: ", "))")
                }
            }
            guard Set(keys).count == keys.count else {
                throw YAMLError(location: entry.keyLocation, keyPath: "sweep." + entry.key, message: "a linked sweep key names the same field twice")
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
            if paths.count > 1 {
                for value in values {
                    guard case .sequence(let items, _) = value, items.count == paths.count else {
                        throw YAMLError(
                            location: value.location, keyPath: "sweep." + entry.key,
                            message: "each alternative of linked keys is a list of \(paths.count) values, one per key (\(keys.joined(separator: ", "))), got \(value.summary)")
                    }
                }
            }
            return SweepAxis(key: entry.key, path: paths[0], linkedPaths: paths, keyLocation: entry.keyLocation, values: values)
        }
    }

    /// `tree` with this axis set to `value` (every linked key to its item of `value`).
    func applying(_ value: YAMLNode, to tree: YAMLNode) throws -> YAMLNode {
        guard linkedPaths.count > 1, case .sequence(let items, _) = value else {
            return try tree.replacingValue(atPath: path, with: value)
        }
        var result = tree
        for (path, item) in zip(linkedPaths, items) { result = try result.replacingValue(atPath: path, with: item) }
        return result
    }

    /// Reads `sweep:` as one grid (a mapping of axes) or as the union of several grids (a
    /// list of such mappings, each a panel of its own: cases of different grids may vary
    /// different keys). Returns every key in first-seen order and every assignment, grid
    /// after grid.
    ///
    /// - Throws: when the combinations (counted from the axes' lengths with checked arithmetic,
    ///   before any is built) are more than `maximumCases` (`limits.max-cases`).
    static func assignments(from sweep: YAMLNode, maximumCases: Int) throws -> (keys: [String], grid: [[(axis: SweepAxis, value: YAMLNode)]]) {
        guard case .sequence(let grids, _) = sweep else {
            let axes = try axes(from: sweep)
            try checkCount([axes], at: sweep, maximumCases: maximumCases)
            return (axes.map(\.key), grid(axes))
        }
        guard !grids.isEmpty else {
            throw YAMLError(location: sweep.location, keyPath: "sweep", message: "empty list of sweep grids: give at least one mapping")
        }
        var keys: [String] = []
        var combined: [[(axis: SweepAxis, value: YAMLNode)]] = []
        var seen = Set<String>()
        let panels = try grids.map { node in
            guard case .mapping = node else {
                throw YAMLError(location: node.location, keyPath: "sweep", message: "each item of a list of sweep grids is a mapping of dotted keys to lists of values, got \(node.summary)")
            }
            return (node, try axes(from: node))
        }
        try checkCount(panels.map(\.1), at: sweep, maximumCases: maximumCases)
        for (node, axes) in panels {
            for axis in axes where !keys.contains(axis.key) { keys.append(axis.key) }
            for assignment in grid(axes) {
                let text = assignment.map { "\($0.axis.key)=\($0.value.jsonValue.canonicalText)" }.sorted().joined(separator: "\n")
                guard seen.insert(text).inserted else {
                    throw YAMLError(location: node.location, keyPath: "sweep", message: "two sweep grids produce the same case (\(assignment.map { "\($0.axis.key)=\($0.value.jsonValue.canonicalText)" }.joined(separator: ", ")))")
                }
                combined.append(assignment)
            }
        }
        return (keys, combined)
    }

    /// Σ over grids of Π axis lengths, checked for overflow and against `maximumCases`.
    static func checkCount(_ grids: [[SweepAxis]], at sweep: YAMLNode, maximumCases: Int) throws {
        var total = 0, overflow = false
        for axes in grids {
            var product = 1
            for axis in axes where !overflow {
                let next = product.multipliedReportingOverflow(by: axis.values.count)
                product = next.partialValue
                overflow = next.overflow
            }
            if !overflow { (total, overflow) = total.addingReportingOverflow(product) }
        }
        guard overflow || total > maximumCases else { return }
        let count = overflow ? "more than \(Int.max)" : "\(total)"
        throw YAMLError(
            location: sweep.location, keyPath: "sweep",
            message: "the sweep has \(count) combinations, more than limits.max-cases = \(maximumCases); raise limits.max-cases to run more")
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
