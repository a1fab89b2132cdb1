import Foundation
import MessageText

/// Recursive-descent parser for formula text.
///
/// Grammar (newlines are whitespace; a statement ends where no operator follows):
///
///     formula    := assignment* equation
///     assignment := name '=' expression                  (a named constant)
///     equation   := response '=' expression ['+' 'e']    (trailing error term dropped)
///     response   := name | function ('[' | '(') name (']' | ')')
///     expression := term (('+' | '-') term)*
///     term       := unary (('*' | '/') unary)*
///     unary      := ('-' | '+') unary | power
///     power      := primary (('^' | '**') unary)?        (right-associative; -x^2 = -(x^2))
///     primary    := number | name | function group | group
///     group      := '(' expression ')' | '[' expression ']'
///
/// Hostile input: the expression tree is at most ``maximumDepth`` deep (nested brackets, chains
/// of unary minus, `^` and long sums all count); parsing stops with a located error at the
/// token that would go one level deeper, so neither the parser's recursion nor any later walk
/// of the tree (resolution, the tape compiler, freeing the tree) goes deeper than that.
public enum FormulaParser {
    /// Deepest expression tree accepted; NIST's formulas are under 20 deep.
    public static let maximumDepth = 200

    /// Parses and resolves `text`.
    ///
    /// - Parameters:
    ///   - file: named in error messages when the text came from a file.
    ///   - firstLine: the file line on which `text` starts (errors report file lines).
    /// - Throws: ``FormulaParseError`` located at the offending character.
    public static func parse(
        _ text: String, declarations: FormulaDeclarations = FormulaDeclarations(),
        file: String? = nil, firstLine: Int = 1
    ) throws(FormulaParseError) -> FormulaDefinition {
        var parser = Parser(text: text, file: file, firstLine: firstLine)
        return try parser.parseFormula(declarations: declarations)
    }
}

/// The unresolved tree: names are still strings with their offsets.
private indirect enum RawNode {
    case number(Double)
    case name(String, offset: Int)
    case negate(RawNode)
    case binary(FormulaBinaryOperator, RawNode, RawNode)
    case call(FormulaFunction, RawNode)

    func collectNames(into names: inout [(String, Int)]) {
        switch self {
        case .number: break
        case .name(let name, let offset): names.append((name, offset))
        case .negate(let operand), .call(_, let operand): operand.collectNames(into: &names)
        case .binary(_, let left, let right):
            left.collectNames(into: &names)
            right.collectNames(into: &names)
        }
    }
}

private struct Statement {
    var target: String
    var targetOffset: Int
    var transform: FormulaFunction?
    var value: RawNode
}

private struct Parser {
    let text: String
    let file: String?
    let firstLine: Int
    let lineStarts: [Int]
    let bytes: [UInt8]
    var tokens: [FormulaToken] = []
    var position = 0
    /// Levels open now: brackets and function calls, unary signs, powers.
    var depth = 0

    init(text: String, file: String?, firstLine: Int) {
        self.text = text
        self.file = file
        self.firstLine = firstLine
        bytes = Array(text.utf8)
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(index + 1) }
        lineStarts = starts
    }

    func error(at offset: Int, _ message: String) -> FormulaParseError {
        var lineIndex = 0
        while lineIndex + 1 < lineStarts.count, lineStarts[lineIndex + 1] <= offset { lineIndex += 1 }
        let start = lineStarts[lineIndex]
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        var line = String(decoding: bytes[start..<end], as: UTF8.self)
        if line.hasSuffix("\r") { line.removeLast() }
        let column = String(decoding: bytes[start..<min(offset, end)], as: UTF8.self).count + 1
        return FormulaParseError(message: message, file: file, line: firstLine + lineIndex, column: column, sourceLine: line)
    }

    var current: FormulaToken { tokens[position] }

    mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    func describe(_ token: FormulaToken) -> String {
        switch token.kind {
        case .number(let value): return "number \(value)"
        case .identifier(let name): return QuotedText.quoted(name)
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .power: return "'^'"
        case .equals: return "'='"
        case .comma: return "','"
        case .open(let c), .close(let c): return "'\(c)'"
        case .end: return "end of formula"
        }
    }

    // MARK: Statements

    mutating func parseFormula(declarations: FormulaDeclarations) throws(FormulaParseError) -> FormulaDefinition {
        let lexer = FormulaLexer(text)
        tokens = try lexer.tokens { offset, message in error(at: offset, message) }
        if case .end = current.kind { throw error(at: 0, "empty formula: expected 'y = expression'") }
        var statements: [Statement] = []
        while true {
            if case .end = current.kind { break }
            statements.append(try parseStatement())
        }
        guard let equation = statements.last else { throw error(at: 0, "empty formula") }
        var constants = declarations.constants
        for statement in statements.dropLast() {
            if statement.transform != nil {
                throw error(at: statement.targetOffset, "only the last statement may have a transformed response; earlier lines must be constants such as 'pi = 3.14159'")
            }
            let resolved = try resolve(statement.value, parameters: [], predictors: [], constants: constants, context: "the constant '\(statement.target)'")
            guard resolved.isConstant else {
                throw error(at: statement.targetOffset, "the constant '\(statement.target)' must not depend on parameters or predictors")
            }
            constants[statement.target] = resolved.value(parameters: [], predictors: [])
        }

        var value = equation.value
        if case .binary(.add, let rest, .name("e", _)) = value, constants["e"] == nil,
           !(declarations.parameterNames ?? []).contains("e"), !(declarations.predictorNames ?? []).contains("e") {
            value = rest  // NIST's error term, not Euler's number
        }
        var names: [(String, Int)] = []
        value.collectNames(into: &names)
        let parameters = declarations.parameterNames ?? implicitNames(names, constants: constants, isParameter: true)
        let predictors = declarations.predictorNames ?? implicitNames(names, constants: constants, isParameter: false)
        if let clash = Set(parameters).intersection(predictors).first {
            throw error(at: equation.targetOffset, "'\(clash)' is declared both as a parameter and as a predictor")
        }
        let expression = try resolve(value, parameters: parameters, predictors: predictors, constants: constants, context: "the model")
        var referenced = Set<Int>()
        collectParameters(expression, into: &referenced)
        return FormulaDefinition(
            text: text, responseName: equation.target, responseTransform: equation.transform,
            expression: expression, parameterNames: parameters, predictorNames: predictors,
            constants: constants, referencedParameters: referenced)
    }

    func implicitNames(_ names: [(String, Int)], constants: [String: Double], isParameter: Bool) -> [String] {
        var found: [String: Int] = [:]
        for (name, _) in names where constants[name] == nil {
            let prefix: Character = isParameter ? "b" : "x"
            guard name.first == prefix else { continue }
            let suffix = name.dropFirst()
            if suffix.isEmpty, !isParameter { found[name] = -1; continue }
            if !suffix.isEmpty, suffix.allSatisfy(\.isASCII), suffix.allSatisfy(\.isNumber), let number = Int(suffix) {
                found[name] = number
            }
        }
        return found.sorted { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }.map(\.key)
    }

    func collectParameters(_ expression: FormulaExpression, into set: inout Set<Int>) {
        switch expression {
        case .constant, .predictor: break
        case .parameter(let index): set.insert(index)
        case .negate(let operand), .call(_, let operand): collectParameters(operand, into: &set)
        case .binary(_, let left, let right):
            collectParameters(left, into: &set)
            collectParameters(right, into: &set)
        }
    }

    func resolve(
        _ node: RawNode, parameters: [String], predictors: [String], constants: [String: Double], context: String
    ) throws(FormulaParseError) -> FormulaExpression {
        switch node {
        case .number(let value): return .constant(value)
        case .name(let name, let offset):
            if let index = parameters.firstIndex(of: name) { return .parameter(index) }
            if let index = predictors.firstIndex(of: name) { return .predictor(index) }
            if let value = constants[name] { return .constant(value) }
            if FormulaFunction(spelling: name) != nil {
                throw error(at: offset, "function \(QuotedText.quoted(name)) needs an argument in parentheses or brackets")
            }
            var known: [String] = []
            if !parameters.isEmpty { known.append("parameters " + parameters.joined(separator: ", ")) }
            if !predictors.isEmpty { known.append("predictors " + predictors.joined(separator: ", ")) }
            known.append("constants " + constants.keys.sorted().joined(separator: ", "))
            throw error(at: offset, "unknown name \(QuotedText.quoted(name)) in \(context) (known: \(known.joined(separator: "; ")))")
        case .negate(let operand):
            return .negate(try resolve(operand, parameters: parameters, predictors: predictors, constants: constants, context: context))
        case .call(let function, let operand):
            return .call(function, try resolve(operand, parameters: parameters, predictors: predictors, constants: constants, context: context))
        case .binary(let op, let left, let right):
            return .binary(
                op,
                try resolve(left, parameters: parameters, predictors: predictors, constants: constants, context: context),
                try resolve(right, parameters: parameters, predictors: predictors, constants: constants, context: context))
        }
    }

    mutating func parseStatement() throws(FormulaParseError) -> Statement {
        guard case .identifier(let name) = current.kind else {
            throw error(at: current.offset, "expected a response name such as 'y' or 'log[y]' at the start of a statement, found \(describe(current))")
        }
        let nameOffset = current.offset
        advance()
        var target = name, targetOffset = nameOffset
        var transform: FormulaFunction?
        if case .open(let bracket) = current.kind {
            guard let function = FormulaFunction(spelling: name) else {
                throw error(at: nameOffset, "unknown function \(QuotedText.quoted(name)) applied to the response")
            }
            advance()
            guard case .identifier(let inner) = current.kind else {
                throw error(at: current.offset, "expected the response name inside \(name)\(bracket)…\(closing(bracket)), found \(describe(current))")
            }
            target = inner
            targetOffset = current.offset
            transform = function
            advance()
            try expectClose(bracket, openedAt: nameOffset)
        }
        guard case .equals = current.kind else {
            throw error(at: current.offset, "expected '=' after '\(name)', found \(describe(current))")
        }
        advance()
        let value = try parseExpression()
        switch current.kind {
        case .end, .identifier: break
        case .close(let c): throw error(at: current.offset, "unmatched '\(c)'")
        default: throw error(at: current.offset, "unexpected \(describe(current)) after a complete expression")
        }
        if case .identifier = current.kind, position + 1 < tokens.count {
            // The next statement must be `name =` or `f[name] =`; anything else is a missing operator.
            switch tokens[position + 1].kind {
            case .equals, .open: break
            default: throw error(at: current.offset, "expected an operator before \(describe(current))")
            }
        }
        return Statement(target: target, targetOffset: targetOffset, transform: transform, value: value)
    }

    func closing(_ bracket: Character) -> Character { bracket == "(" ? ")" : "]" }

    mutating func expectClose(_ bracket: Character, openedAt offset: Int) throws(FormulaParseError) {
        let expected = closing(bracket)
        guard case .close(let found) = current.kind else {
            throw error(at: current.offset, "expected '\(expected)' to close '\(bracket)' opened at column \(error(at: offset, "").column), found \(describe(current))")
        }
        guard found == expected else {
            throw error(at: current.offset, "'\(found)' does not match '\(bracket)' opened at column \(error(at: offset, "").column)")
        }
        advance()
    }

    // MARK: Expressions
    //
    // Every parse function returns the node with its height, and the parser keeps `depth`, the
    // recursion open now; both stay within `FormulaParser.maximumDepth`.

    /// Enters one level of recursion, refusing the level past the limit at the current token.
    mutating func enter() throws(FormulaParseError) {
        guard depth < FormulaParser.maximumDepth else { throw tooDeep() }
        depth += 1
    }

    func tooDeep() -> FormulaParseError {
        error(at: current.offset, "the formula nests deeper than \(FormulaParser.maximumDepth) levels (brackets, signs, powers and operator chains all count)")
    }

    /// `height` checked against the limit (a long chain `a+a+…` grows the tree without recursing).
    func checked(_ height: Int) throws(FormulaParseError) -> Int {
        guard height + depth <= FormulaParser.maximumDepth else { throw tooDeep() }
        return height
    }

    mutating func parseExpression() throws(FormulaParseError) -> RawNode {
        try parseSum().node
    }

    mutating func parseSum() throws(FormulaParseError) -> (node: RawNode, height: Int) {
        var (left, height) = try parseTerm()
        while true {
            let op: FormulaBinaryOperator
            switch current.kind {
            case .plus: op = .add
            case .minus: op = .subtract
            default: return (left, height)
            }
            advance()
            let right = try parseTerm()
            height = try checked(max(height, right.height) + 1)
            left = .binary(op, left, right.node)
        }
    }

    mutating func parseTerm() throws(FormulaParseError) -> (node: RawNode, height: Int) {
        var (left, height) = try parseUnary()
        while true {
            let op: FormulaBinaryOperator
            switch current.kind {
            case .star: op = .multiply
            case .slash: op = .divide
            default: return (left, height)
            }
            advance()
            let right = try parseUnary()
            height = try checked(max(height, right.height) + 1)
            left = .binary(op, left, right.node)
        }
    }

    mutating func parseUnary() throws(FormulaParseError) -> (node: RawNode, height: Int) {
        switch current.kind {
        case .minus, .plus:
            try enter()
        default:
            return try parsePower()
        }
        defer { depth -= 1 }
        switch current.kind {
        case .minus:
            advance()
            let operand = try parseUnary()
            return (.negate(operand.node), try checked(operand.height + 1))
        case .plus:
            advance()
            return try parseUnary()
        default:
            return try parsePower()
        }
    }

    mutating func parsePower() throws(FormulaParseError) -> (node: RawNode, height: Int) {
        let base = try parsePrimary()
        if case .power = current.kind {
            try enter()
            defer { depth -= 1 }
            advance()
            let exponent = try parseUnary()
            return (.binary(.power, base.node, exponent.node), try checked(max(base.height, exponent.height) + 1))
        }
        return base
    }

    mutating func parsePrimary() throws(FormulaParseError) -> (node: RawNode, height: Int) {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return (.number(value), 1)
        case .identifier(let name):
            advance()
            if case .open(let bracket) = current.kind {
                guard let function = FormulaFunction(spelling: name) else {
                    let known = FormulaFunction.allCases.map(\.rawValue).joined(separator: ", ")
                    throw error(at: token.offset, "unknown function '\(name)' (known: \(known), atan)")
                }
                let openOffset = current.offset
                try enter()
                defer { depth -= 1 }
                advance()
                let argument = try parseSum()
                if case .comma = current.kind {
                    throw error(at: current.offset, "function '\(name)' takes one argument")
                }
                try expectClose(bracket, openedAt: openOffset)
                return (.call(function, argument.node), try checked(argument.height + 1))
            }
            return (.name(name, offset: token.offset), 1)
        case .open(let bracket):
            try enter()
            defer { depth -= 1 }
            advance()
            let inner = try parseSum()
            try expectClose(bracket, openedAt: token.offset)
            return inner
        case .end:
            throw error(at: token.offset, "formula ends where an operand was expected")
        default:
            throw error(at: token.offset, "expected a number, a name or '(' but found \(describe(token))")
        }
    }
}
