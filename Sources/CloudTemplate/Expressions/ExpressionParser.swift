/// Checks the grammar of one expression body and extracts the references it makes.
///
/// Grammar (vRA's expression syntax, simplified to what matters for validation):
/// ```
/// expression := binary ('?' expression ':' expression)?
/// binary     := unary (operator unary)*
/// unary      := ('!' | '-')* postfix
/// postfix    := primary ('.' name | '[' (expression | '*') ']' | '(' arguments ')')*
/// primary    := identifier | number | string | '(' expression ')' | '[' list ']' | '{' entries '}'
/// ```
/// Nesting is capped so a hostile template cannot exhaust the stack.
struct ExpressionParser {
  /// A reference found in the body, with offsets relative to the body.
  struct FoundReference {
    var kind: ReferenceKind
    var segments: [String]
    var startOffset: Int
    var endOffset: Int
  }

  static let maximumNesting = 64
  private static let binaryOperators: Set<String> = [
    "+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||",
  ]
  private static let literalKeywords: Set<String> = ["true", "false", "null"]

  private let tokens: [ExpressionToken]
  private let bodyLength: Int
  private var position = 0
  private var nesting = 0
  private(set) var references: [FoundReference] = []

  init(tokens: [ExpressionToken], bodyLength: Int) {
    self.tokens = tokens
    self.bodyLength = bodyLength
  }

  /// Parses the whole body; on failure the references found so far stay available.
  mutating func parse() throws(ExpressionLexer.Failure) {
    guard !tokens.isEmpty else { throw .init(message: "empty expression", offset: 0) }
    try parseExpression()
    if position < tokens.count {
      throw failure("unexpected '\(tokens[position].text)'")
    }
  }

  private var current: ExpressionToken? { position < tokens.count ? tokens[position] : nil }

  private func isSymbol(_ text: String) -> Bool {
    guard let current, current.kind == .symbol else { return false }
    return current.text == text
  }

  private func failure(_ message: String) -> ExpressionLexer.Failure {
    .init(message: message, offset: current?.offset ?? bodyLength)
  }

  private mutating func expect(_ symbol: String) throws(ExpressionLexer.Failure) {
    guard isSymbol(symbol) else {
      throw failure("expected '\(symbol)' but found \(current.map { "'\($0.text)'" } ?? "end of expression")")
    }
    position += 1
  }

  private mutating func parseExpression() throws(ExpressionLexer.Failure) {
    nesting += 1
    defer { nesting -= 1 }
    guard nesting <= Self.maximumNesting else { throw failure("expression nested too deeply") }
    try parseBinary()
    if isSymbol("?") {
      position += 1
      try parseExpression()
      try expect(":")
      try parseExpression()
    }
  }

  private mutating func parseBinary() throws(ExpressionLexer.Failure) {
    try parseUnary()
    while let current, current.kind == .symbol, Self.binaryOperators.contains(current.text) {
      position += 1
      try parseUnary()
    }
  }

  private mutating func parseUnary() throws(ExpressionLexer.Failure) {
    while isSymbol("!") || isSymbol("-") { position += 1 }
    try parsePostfix()
  }

  private mutating func parsePostfix() throws(ExpressionLexer.Failure) {
    guard let first = current else { throw failure("expected a value but found end of expression") }
    // A path is still being collected while every step is static (`.name`, `["name"]`, `[0]`, `[*]`).
    var reference: FoundReference?
    switch first.kind {
    case .identifier:
      position += 1
      if isSymbol("(") {
        break  // A function call: `to_lower(...)`.
      }
      if !Self.literalKeywords.contains(first.text) {
        reference = FoundReference(
          kind: ReferenceKind(rawValue: first.text) ?? .unknown, segments: [], startOffset: first.offset,
          endOffset: first.offset + first.text.unicodeScalars.count)
      }
    case .number, .string:
      position += 1
    case .symbol:
      try parsePrimaryGroup()
    }
    var pathIsStatic = reference != nil
    while true {
      if isSymbol(".") {
        position += 1
        guard let member = current, member.kind == .identifier || member.kind == .number || member.text == "*"
        else { throw failure("expected a property name after '.'") }
        position += 1
        if pathIsStatic {
          reference?.segments.append(member.text)
          reference?.endOffset = member.offset + member.text.unicodeScalars.count
        }
      } else if isSymbol("[") {
        let open = position
        position += 1
        if isSymbol("*") || (current.map { $0.kind == .string || $0.kind == .number } ?? false),
          position + 1 < tokens.count, tokens[position + 1].kind == .symbol, tokens[position + 1].text == "]"
        {
          let key = tokens[position]
          position += 2
          if pathIsStatic {
            reference?.segments.append(key.text)
            reference?.endOffset = tokens[position - 1].offset + 1
          }
        } else {
          position = open + 1
          try parseExpression()
          try expect("]")
          pathIsStatic = false
        }
      } else if isSymbol("(") {
        try parseArguments(closing: ")")
        pathIsStatic = false
      } else {
        break
      }
    }
    if let reference { references.append(reference) }
  }

  /// `( expression )`, `[ a, b ]` or `{ key: value, ... }`.
  private mutating func parsePrimaryGroup() throws(ExpressionLexer.Failure) {
    nesting += 1
    defer { nesting -= 1 }
    guard nesting <= Self.maximumNesting else { throw failure("expression nested too deeply") }
    if isSymbol("(") {
      position += 1
      try parseExpression()
      try expect(")")
    } else if isSymbol("[") {
      try parseArguments(closing: "]")
    } else if isSymbol("{") {
      position += 1
      if isSymbol("}") {
        position += 1
        return
      }
      repeat {
        if isSymbol(",") { position += 1 }
        guard let key = current, key.kind == .identifier || key.kind == .string else {
          throw failure("expected an object key")
        }
        position += 1
        try expect(":")
        try parseExpression()
      } while isSymbol(",")
      try expect("}")
    } else {
      throw failure("unexpected '\(current?.text ?? "")'")
    }
  }

  /// A comma-separated list after an opening `(` or `[`, up to `closing`.
  private mutating func parseArguments(closing: String) throws(ExpressionLexer.Failure) {
    position += 1
    if isSymbol(closing) {
      position += 1
      return
    }
    try parseExpression()
    while isSymbol(",") {
      position += 1
      try parseExpression()
    }
    try expect(closing)
  }
}
