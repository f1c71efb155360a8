/// Finds every `${...}` expression inside a string and extracts its references.
///
/// The closing brace is found by tracking quotes and bracket nesting, so
/// `${join(resource.net.dns, '}')}` is one expression.
public enum ExpressionScanner {
  /// A syntax problem inside one expression.
  public struct SyntaxError: Sendable, Hashable {
    public var message: String
    public var location: SourceLocation
    /// The expression as written, `${...}` included (cut at 80 characters).
    public var expression: String
  }

  public struct Result: Sendable, Hashable {
    /// Bodies of the expressions found (the text between `${` and `}`), in order.
    public var expressions: [String] = []
    /// Where each of `expressions` is written, `${` to `}` included, in Unicode scalars of the text.
    public var ranges: [Range<Int>] = []
    public var references: [ExpressionReference] = []
    public var errors: [SyntaxError] = []
  }

  /// Scans `text`, placing it at `location` (the first character of the string's content).
  ///
  /// Offsets on later lines of a multi-line string restart at column 1; the template parser
  /// gives a more exact placement through `scan(_:path:locate:)`.
  public static func scan(_ text: String, location: SourceLocation = .startOfFile, path: String = "") -> Result {
    scan(text, path: path) { offset, scalars in location.advanced(over: scalars[0..<offset]) }
  }

  /// True when `text` holds something that looks like an expression: cheap pre-check.
  public static func mayContainExpression(_ text: String) -> Bool {
    var previousWasDollar = false
    for byte in text.utf8 {
      if byte == UInt8(ascii: "{") && previousWasDollar { return true }
      previousWasDollar = byte == UInt8(ascii: "$")
    }
    return false
  }

  /// Scans `text`; `locate` turns an offset (in Unicode scalars from the string's start) into a position.
  static func scan(
    _ text: String, path: String, locate: (Int, [Unicode.Scalar]) -> SourceLocation
  ) -> Result {
    var result = Result()
    guard mayContainExpression(text) else { return result }
    let scalars = Array(text.unicodeScalars)
    var index = 0
    while index + 1 < scalars.count {
      guard scalars[index] == "$", scalars[index + 1] == "{" else {
        index += 1
        continue
      }
      let start = index
      let bodyStart = index + 2
      guard let end = closingBrace(in: scalars, from: bodyStart) else {
        result.errors.append(
          SyntaxError(
            message: "unterminated '${' expression: no matching '}'", location: locate(start, scalars),
            expression: excerpt(scalars[start...])))
        break
      }
      let body = Array(scalars[bodyStart..<end])
      result.expressions.append(String(scalars: body))
      result.ranges.append(start..<(end + 1))
      var parser: ExpressionParser?
      do {
        let tokens = try ExpressionLexer.tokens(of: body)
        parser = ExpressionParser(tokens: tokens, bodyLength: body.count)
        try parser!.parse()
      } catch {
        result.errors.append(
          SyntaxError(
            message: "invalid expression: \(error.message)", location: locate(bodyStart + error.offset, scalars),
            expression: excerpt(scalars[start...end])))
      }
      // The parser records a reference when its path ends, so inner ones come first; report them as written.
      let found = (parser?.references ?? []).sorted { $0.startOffset < $1.startOffset }
      for found in found {
        let referenceText = String(scalars: body[found.startOffset..<found.endOffset])
        result.references.append(
          ExpressionReference(
            kind: found.kind, segments: found.segments, text: referenceText,
            location: locate(bodyStart + found.startOffset, scalars), path: path))
      }
      index = end + 1
    }
    return result
  }

  /// Index of the `}` that closes an expression whose body starts at `start`, skipping quoted text
  /// and nested brackets.
  private static func closingBrace(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
    var depth = 0
    var quote: Unicode.Scalar?
    var index = start
    while index < scalars.count {
      let scalar = scalars[index]
      if let open = quote {
        if scalar == "\\" {
          index += 1
        } else if scalar == open {
          quote = nil
        }
      } else {
        switch scalar {
        case "\"", "'": quote = scalar
        case "{", "[", "(": depth += 1
        case "]", ")": depth -= 1
        case "}":
          if depth == 0 { return index }
          depth -= 1
        default: break
        }
      }
      index += 1
    }
    return nil
  }

  private static func excerpt(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
    let limit = 80
    let text = String(scalars: scalars.prefix(limit))
    return scalars.count > limit ? text + "…" : text
  }
}
