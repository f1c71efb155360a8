import Foundation

/// A parsed `$filter`: the OData subset real vRA clients send (Terraform, the Python and Go SDKs,
/// PowerVRA): `eq ne gt ge lt le`, `and or not`, parentheses, string (`'it''s'`), number, `true`,
/// `false` and `null` literals, field paths (`name`, `customProperties.x` or `customProperties/x`)
/// and the functions below. Anything else is refused with a 400, as vRA refuses it; never ignored.
indirect enum ODataFilter: Sendable, Equatable {
  case literal(Literal)
  /// A field of the listed object; nested fields by `.` or `/`.
  case field([String])
  case compare(Comparison, ODataFilter, ODataFilter)
  case and(ODataFilter, ODataFilter)
  case or(ODataFilter, ODataFilter)
  case not(ODataFilter)
  case call(Function, [ODataFilter])

  enum Literal: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
  }

  enum Comparison: String, Sendable, CaseIterable {
    case eq, ne, gt, ge, lt, le
  }

  /// The functions supported, with their argument counts.
  enum Function: String, Sendable, CaseIterable {
    case substringof, startswith, endswith, contains, tolower, toupper, trim, length

    var arity: Int {
      switch self {
      case .substringof, .startswith, .endswith, .contains: 2
      case .tolower, .toupper, .trim, .length: 1
      }
    }
  }

  /// Parses a `$filter` value (already percent-decoded); throws a 400 `APIError` naming what is wrong.
  static func parse(_ text: String) throws -> ODataFilter {
    var parser = Parser(tokens: try Tokenizer.tokens(of: text), text: text)
    let expression = try parser.orExpression()
    if let extra = parser.peek { throw parser.error("unexpected '\(extra.text)' at position \(extra.offset + 1)") }
    return expression
  }
}

extension ODataFilter {
  fileprivate struct Token {
    enum Kind { case open, close, comma, string, number, word }
    var kind: Kind
    var text: String
    var offset: Int
  }

  fileprivate enum Tokenizer {
    static func tokens(of text: String) throws -> [Token] {
      let characters = Array(text)
      var tokens: [Token] = []
      var index = 0
      func isWordCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "." || c == "/" || c == "$" || c == "@" || c == "-"
      }
      while index < characters.count {
        let c = characters[index]
        let start = index
        switch c {
        case " ", "\t", "\n", "\r":
          index += 1
        case "(":
          tokens.append(Token(kind: .open, text: "(", offset: start))
          index += 1
        case ")":
          tokens.append(Token(kind: .close, text: ")", offset: start))
          index += 1
        case ",":
          tokens.append(Token(kind: .comma, text: ",", offset: start))
          index += 1
        case "'":
          var value = ""
          index += 1
          var closed = false
          while index < characters.count {
            if characters[index] == "'" {
              if index + 1 < characters.count, characters[index + 1] == "'" {
                value.append("'")
                index += 2
                continue
              }
              closed = true
              index += 1
              break
            }
            value.append(characters[index])
            index += 1
          }
          guard closed else {
            throw ODataFilter.error(in: text, "unterminated string starting at position \(start + 1)")
          }
          tokens.append(Token(kind: .string, text: value, offset: start))
        case _ where c.isNumber || (c == "-" && index + 1 < characters.count && characters[index + 1].isNumber):
          index += 1
          while index < characters.count, characters[index].isNumber || characters[index] == "." { index += 1 }
          tokens.append(Token(kind: .number, text: String(characters[start..<index]), offset: start))
        case _ where isWordCharacter(c):
          while index < characters.count, isWordCharacter(characters[index]) { index += 1 }
          tokens.append(Token(kind: .word, text: String(characters[start..<index]), offset: start))
        default:
          throw ODataFilter.error(in: text, "unexpected character '\(c)' at position \(start + 1)")
        }
      }
      return tokens
    }
  }

  /// Recursive descent, loosest first: `or`, `and`, `not`, comparisons, then operands.
  fileprivate struct Parser {
    var tokens: [Token]
    var text: String
    var position = 0

    var peek: Token? { position < tokens.count ? tokens[position] : nil }

    func error(_ message: String) -> APIError { ODataFilter.error(in: text, message) }

    mutating func next() throws -> Token {
      guard let token = peek else { throw error("unexpected end of the expression") }
      position += 1
      return token
    }

    mutating func takeWord(_ word: String) -> Bool {
      guard let token = peek, token.kind == .word, token.text.lowercased() == word else { return false }
      position += 1
      return true
    }

    mutating func orExpression() throws -> ODataFilter {
      var result = try andExpression()
      while takeWord("or") { result = .or(result, try andExpression()) }
      return result
    }

    mutating func andExpression() throws -> ODataFilter {
      var result = try notExpression()
      while takeWord("and") { result = .and(result, try notExpression()) }
      return result
    }

    mutating func notExpression() throws -> ODataFilter {
      if takeWord("not") { return .not(try notExpression()) }
      return try comparison()
    }

    mutating func comparison() throws -> ODataFilter {
      let left = try operand()
      if let token = peek, token.kind == .word, let op = Comparison(rawValue: token.text.lowercased()) {
        position += 1
        return .compare(op, left, try operand())
      }
      return left
    }

    mutating func operand() throws -> ODataFilter {
      let token = try next()
      switch token.kind {
      case .open:
        let inner = try orExpression()
        guard let close = peek, close.kind == .close else {
          throw error("missing ')' for '(' at position \(token.offset + 1)")
        }
        position += 1
        return inner
      case .string:
        return .literal(.string(token.text))
      case .number:
        guard let value = Double(token.text) else { throw error("'\(token.text)' is not a number") }
        return .literal(.number(value))
      case .word:
        switch token.text.lowercased() {
        case "true": return .literal(.bool(true))
        case "false": return .literal(.bool(false))
        case "null": return .literal(.null)
        default: break
        }
        if let open = peek, open.kind == .open {
          guard let function = Function(rawValue: token.text.lowercased()) else {
            throw error(
              "unsupported function '\(token.text)'; supported: "
                + Function.allCases.map(\.rawValue).joined(separator: ", "))
          }
          position += 1
          var arguments: [ODataFilter] = []
          if let close = peek, close.kind == .close {
            position += 1
          } else {
            while true {
              arguments.append(try orExpression())
              let separator = try next()
              if separator.kind == .close { break }
              guard separator.kind == .comma else {
                throw error("expected ',' or ')' at position \(separator.offset + 1), found '\(separator.text)'")
              }
            }
          }
          guard arguments.count == function.arity else {
            throw error("\(function.rawValue) takes \(function.arity) argument(s), got \(arguments.count)")
          }
          return .call(function, arguments)
        }
        let reserved = ["and", "or", "not"] + Comparison.allCases.map(\.rawValue)
        if reserved.contains(token.text.lowercased()) {
          throw error("expected a field, a literal or '(' at position \(token.offset + 1), found '\(token.text)'")
        }
        let path = token.text.split(whereSeparator: { $0 == "." || $0 == "/" }).map(String.init)
        guard !path.isEmpty, !path.contains(where: \.isEmpty) else { throw error("'\(token.text)' is not a field") }
        return .field(path)
      case .close, .comma:
        throw error("expected a field, a literal or '(' at position \(token.offset + 1), found '\(token.text)'")
      }
    }
  }

  static func error(in text: String, _ message: String) -> APIError {
    APIError(
      .badRequest, "Invalid $filter '\(text)': \(message)", errorCode: 10400, messageId: "error.invalid.filter")
  }
}
