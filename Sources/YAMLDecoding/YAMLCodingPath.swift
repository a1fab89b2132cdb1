/// The coding key of a sequence item; rendered as `[index]` in key paths.
struct YAMLIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init(intValue: Int) { self.intValue = intValue }
}

/// A mapping key used for path prefixes and `super`.
struct YAMLKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// One step of a path into the node tree.
enum YAMLPathComponent: Hashable {
    case key(String)
    case index(Int)

    init(_ key: any CodingKey) {
        if let index = key as? YAMLIndexKey {
            self = .index(index.intValue ?? 0)
        } else {
            self = .key(key.stringValue)
        }
    }

    /// `a.b[1].c`.
    static func render(_ path: some Sequence<YAMLPathComponent>) -> String {
        var text = ""
        for component in path {
            switch component {
            case .index(let index): text += "[\(index)]"
            case .key(let key): text += text.isEmpty ? key : "." + key
            }
        }
        return text
    }
}
