/// A 1-based line and column in a template file (columns count Unicode scalars, as libyaml does).
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// Where a file-level problem (size, encoding) is reported: there is no better position.
  public static let startOfFile = SourceLocation(line: 1, column: 1)

  /// A problem with the file as a whole (it cannot be read): no line to point at, and none printed.
  public static let wholeFile = SourceLocation(line: 0, column: 0)

  /// This location, or nil for `wholeFile`.
  public var positioned: SourceLocation? { self == .wholeFile ? nil : self }

  public var description: String { "\(line):\(column)" }

  /// Where text continues after `scalars` written from here: a newline moves to the next line's
  /// first column, any other scalar one column on.
  public func advanced(over scalars: some Sequence<Unicode.Scalar>) -> SourceLocation {
    var next = self
    for scalar in scalars {
      if scalar == "\n" {
        next.line += 1
        next.column = 1
      } else {
        next.column += 1
      }
    }
    return next
  }
}
