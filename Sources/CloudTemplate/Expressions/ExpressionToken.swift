/// A lexical token of a vRA expression body (the text between `${` and `}`).
struct ExpressionToken: Hashable {
  enum Kind: Hashable {
    case identifier
    case number
    /// A quoted string; `text` is its unquoted content.
    case string
    /// `.`, `[`, `]`, `(`, `)`, `,`, `?`, `:`, `{`, `}` and operators such as `+`, `==`, `&&`, `*`.
    case symbol
  }

  var kind: Kind
  var text: String
  /// Offset of the token's first character inside the expression body, in Unicode scalars.
  var offset: Int
}
