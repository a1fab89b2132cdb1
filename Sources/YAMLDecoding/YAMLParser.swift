import CYAML

/// Reads YAML text into a located `YAMLNode` tree through libyaml's event API
/// (`yaml_parser_parse`).
///
/// - One document per input: a second document is an error. An empty input (or one holding
///   only comments or an empty document) is an empty mapping.
/// - Anchors and aliases work: an alias is replaced by a copy of its anchored node. Expansion
///   is capped at `YAMLParser.maximumExpandedNodes` nodes so alias bombs fail fast; a document
///   with that many nodes and no alias is refused as too large.
/// - Nesting is capped at `YAMLParser.maximumDepth` levels.
/// - Merge keys (`<<: *base` or `<<: [*a, *b]`) are merged; explicit keys win, earlier merge
///   sources win over later ones.
/// - Duplicate keys in one mapping are errors naming both lines.
/// - Syntax errors carry libyaml's problem mark and text.
///
/// Cost: linear in the input plus the size of alias expansions.
public enum YAMLParser {
    /// Upper bound on nodes after alias expansion (guards against "billion laughs").
    public static let maximumExpandedNodes = 1_000_000

    /// Deepest nesting of collections accepted, aliases expanded (a manifest needs fewer than 10).
    /// Deeper input fails at the collection that opens level `maximumDepth + 1`, before reading
    /// further, so every later walk of the tree (decoding, YAML → JSON) recurses at most this deep.
    public static let maximumDepth = 200

    /// Parses one YAML document.
    ///
    /// - Parameters:
    ///   - text: the YAML source.
    ///   - file: the name used in locations and messages (usually the path as the user gave it).
    /// - Throws: `YAMLError` located at the problem.
    public static func parse(_ text: String, file: String) throws -> YAMLNode {
        var builder = YAMLTreeBuilder(file: file)
        try readEvents(text, file: file) { event in try builder.consume(event) }
        return builder.root ?? .mapping([], SourceLocation(file: file, line: 1, column: 1))
    }

    /// Parses a single value given on a command line (`--set model.layers=[5,32,3]`): a plain
    /// or quoted scalar or a flow collection. An empty string is an empty plain scalar
    /// (null), not an empty mapping.
    ///
    /// - Parameter file: the name used in locations, `command line` by default.
    public static func parse(value: String, file: String = "command line") throws -> YAMLNode {
        var builder = YAMLTreeBuilder(file: file)
        try readEvents(value, file: file) { event in try builder.consume(event) }
        return builder.root ?? .scalar(YAMLScalar(value: "", location: SourceLocation(file: file, line: 1, column: 1)))
    }

    /// Runs libyaml over `text`, handing each event to `handle`, until the stream ends.
    private static func readEvents(_ text: String, file: String, _ handle: (borrowing yaml_event_t) throws -> Void) throws {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            throw YAMLError(location: nil, message: "libyaml could not start (out of memory)")
        }
        defer { yaml_parser_delete(parser) }
        // libyaml asserts a non-null input pointer, so never hand it an empty buffer.
        var bytes = Array(text.utf8)
        let length = bytes.count
        bytes.append(0)
        try bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            yaml_parser_set_input_string(parser, base, length)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) != 0 else {
                    throw syntaxError(parser.pointee, text: text, file: file)
                }
                defer { yaml_event_delete(&event) }
                let isEnd = event.type == YAML_STREAM_END_EVENT
                try handle(event)
                if isEnd { return }
            }
        }
    }

    /// The `YAMLError` for a failed `yaml_parser_parse`, at libyaml's problem mark.
    private static func syntaxError(_ parser: yaml_parser_t, text: String, file: String) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(location: nil, message: "libyaml ran out of memory")
        case YAML_READER_ERROR:
            // Reader errors (bad encoding) have a byte offset, not a mark.
            return YAMLError(location: location(ofByte: parser.problem_offset, in: text, file: file), message: problem)
        default:
            let location = SourceLocation(file: file, mark: parser.problem_mark)
            var message = problem
            if let context = parser.context {
                let contextLocation = SourceLocation(file: file, mark: parser.context_mark)
                message += " (\(String(cString: context)) at line \(contextLocation.line), column \(contextLocation.column))"
            }
            if character(at: location, in: text) == "\t" {
                message += "; this is a tab, and YAML indents with spaces only"
            }
            return YAMLError(location: location, message: message)
        }
    }

    /// The line and column (in Unicode scalars) of a UTF-8 byte offset.
    private static func location(ofByte offset: Int, in text: String, file: String) -> SourceLocation {
        var line = 1, column = 1, byte = 0
        for scalar in text.unicodeScalars {
            if byte >= offset { break }
            byte += UTF8.width(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }

    /// The character at a 1-based line and column (columns count Unicode scalars, as libyaml's do).
    private static func character(at location: SourceLocation, in text: String) -> Unicode.Scalar? {
        var line = 1, column = 1
        for scalar in text.unicodeScalars {
            if line == location.line && column == location.column { return scalar }
            if scalar == "\n" {
                if line == location.line { return nil }
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return nil
    }
}

extension SourceLocation {
    /// Converts libyaml's 0-based mark.
    init(file: String, mark: yaml_mark_t) {
        self.init(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}
