import JSONDocuments
import Testing
@testable import YAMLDecoding

/// Seeded random trees written as block or flow YAML must parse and decode back to the same
/// tree, and their JSON must match JSON built straight from the tree.
struct YAMLRoundTripTests {
    /// A value built from mappings, sequences, integers and strings, decoded only through
    /// the generic `Decoder` interface (keyed, unkeyed and single-value containers).
    indirect enum Tree: Decodable, Equatable {
        case text(String)
        case number(Int)
        case list([Tree])
        case map([String: Tree])

        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
                var members: [String: Tree] = [:]
                for key in keyed.allKeys { members[key.stringValue] = try keyed.decode(Tree.self, forKey: key) }
                self = .map(members)
            } else if var unkeyed = try? decoder.unkeyedContainer() {
                var items: [Tree] = []
                while !unkeyed.isAtEnd { items.append(try unkeyed.decode(Tree.self)) }
                self = .list(items)
            } else {
                let single = try decoder.singleValueContainer()
                if let number = try? single.decode(Int.self) { self = .number(number) } else { self = .text(try single.decode(String.self)) }
            }
        }

        var json: JSONValue {
            switch self {
            case .text(let text): .string(text)
            case .number(let number): .number(String(number))
            case .list(let items): .array(items.map(\.json))
            case .map(let members): .object(members.mapValues(\.json))
            }
        }
    }

    /// SplitMix64.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let characters = Array("ab-z09 :#,[]{}&*!|>'\"%@`\\\t\né€😀~")
    static let words = ["kind", "layers", "max-iterations", "seed", "true", "null", "x", "12", "a b", "-", "é"]

    static func tree(_ g: inout Generator, depth: Int) -> Tree {
        switch depth == 0 ? g.below(2) : g.below(6) {
        case 0: return .number(g.below(2001) - 1000)
        case 1:
            let length = 1 + g.below(8)
            return .text(String((0..<length).map { _ in characters[g.below(characters.count)] }))
        case 2, 3: return .list((0..<g.below(5)).map { _ in tree(&g, depth: depth - 1) })
        default:
            var members: [String: Tree] = [:]
            for _ in 0..<g.below(5) { members[words[g.below(words.count)]] = tree(&g, depth: depth - 1) }
            return .map(members)
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    static func flow(_ tree: Tree) -> String {
        switch tree {
        case .number(let n): String(n)
        case .text(let text): quoted(text)
        case .list(let items): "[" + items.map(flow).joined(separator: ", ") + "]"
        case .map(let members): "{" + members.map { quoted($0.key) + ": " + flow($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// Block style where a collection is non-empty, flow otherwise.
    static func block(_ tree: Tree, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        switch tree {
        case .list(let items) where !items.isEmpty:
            return items.map { item in
                if isBlock(item) { return pad + "-\n" + block(item, indent: indent + 2) }
                return pad + "- " + flow(item) + "\n"
            }.joined()
        case .map(let members) where !members.isEmpty:
            return members.map { key, value in
                if isBlock(value) { return pad + quoted(key) + ":\n" + block(value, indent: indent + 2) }
                return pad + quoted(key) + ": " + flow(value) + "\n"
            }.joined()
        default:
            return pad + flow(tree) + "\n"
        }
    }

    static func isBlock(_ tree: Tree) -> Bool {
        switch tree {
        case .list(let items): !items.isEmpty
        case .map(let members): !members.isEmpty
        default: false
        }
    }

    @Test(arguments: 0..<100)
    func randomTreesRoundTrip(seed: Int) throws {
        var g = Generator(state: UInt64(seed) &* 0x2545_F491_4F6C_DD1D)
        var members: [String: Tree] = [:]
        for _ in 0..<(2 + g.below(4)) { members[Self.words[g.below(Self.words.count)]] = Self.tree(&g, depth: 4) }
        let tree = Tree.map(members)
        for text in [Self.block(tree, indent: 0), Self.flow(tree)] {
            let node = try YAMLParser.parse(text, file: "r.yaml")
            #expect(try YAMLNodeDecoder().decode(Tree.self, from: node) == tree, "\(text)")
            #expect(node.jsonTree == tree.json)
        }
    }
}
