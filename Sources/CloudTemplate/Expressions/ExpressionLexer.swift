/// Splits an expression body into tokens; quoted strings may hold any character, including `}`.
struct ExpressionLexer {
  struct Failure: Error {
    var message: String
    var offset: Int
  }

  /// `==`, `!=`, `<=`, `>=`, `&&`, `||`, tested on scalars: no string is built for the common miss.
  private static func isTwoCharacterOperator(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Bool {
    switch (first, second) {
    case ("=", "="), ("!", "="), ("<", "="), (">", "="), ("&", "&"), ("|", "|"): true
    default: false
    }
  }
  private static let singleCharacterSymbols: Set<Unicode.Scalar> = [
    ".", "[", "]", "(", ")", ",", "?", ":", "{", "}", "+", "-", "*", "/", "%", "<", ">", "!",
  ]

  static func tokens(of body: [Unicode.Scalar]) throws(Failure) -> [ExpressionToken] {
    var tokens: [ExpressionToken] = []
    var index = 0
    while index < body.count {
      let scalar = body[index]
      if scalar.properties.isWhitespace {
        index += 1
      } else if isIdentifierStart(scalar) {
        let start = index
        while index < body.count, isIdentifierPart(body[index]) { index += 1 }
        tokens.append(
          .init(kind: .identifier, text: String(scalars: body[start..<index]), offset: start))
      } else if isDigit(scalar) {
        let start = index
        while index < body.count, isDigit(body[index]) { index += 1 }
        // A fraction needs a digit after the dot; `a[0].b` keeps its dot as a member access.
        if index + 1 < body.count, body[index] == ".", isDigit(body[index + 1]) {
          index += 1
          while index < body.count, isDigit(body[index]) { index += 1 }
        }
        tokens.append(.init(kind: .number, text: String(scalars: body[start..<index]), offset: start))
      } else if scalar == "\"" || scalar == "'" {
        let start = index
        var content: [Unicode.Scalar] = []
        index += 1
        var closed = false
        while index < body.count {
          let character = body[index]
          if character == "\\", index + 1 < body.count {
            content.append(body[index + 1])
            index += 2
          } else if character == scalar {
            index += 1
            closed = true
            break
          } else {
            content.append(character)
            index += 1
          }
        }
        guard closed else { throw Failure(message: "unterminated string literal", offset: start) }
        tokens.append(.init(kind: .string, text: String(scalars: content), offset: start))
      } else if index + 1 < body.count,
        Self.isTwoCharacterOperator(scalar, body[index + 1])
      {
        tokens.append(
          .init(kind: .symbol, text: String(scalars: [scalar, body[index + 1]]), offset: index))
        index += 2
      } else if Self.singleCharacterSymbols.contains(scalar) {
        tokens.append(.init(kind: .symbol, text: String(scalar), offset: index))
        index += 1
      } else {
        throw Failure(message: "unexpected character '\(scalar)'", offset: index)
      }
    }
    return tokens
  }

  static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
    (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
  }

  static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
    isIdentifierStart(scalar) || isDigit(scalar)
  }

  static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
    scalar >= "0" && scalar <= "9"
  }
}
