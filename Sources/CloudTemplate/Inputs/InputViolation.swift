/// One input value that breaks a rule of the template's input schema.
public struct InputViolation: Sendable, Hashable, Codable, Error, CustomStringConvertible {
  /// JSON pointer of the offending value, e.g. `/cpuCount` or `/disks/2/size`.
  public var path: String
  /// The rule broken: a JSON Schema keyword (`minimum`, `pattern`, `type`, ...) or
  /// `required`, `unknownInput`, `coercion`.
  public var rule: String
  /// A human message; it quotes the value unless the input is `encrypted`, then it shows `********`.
  public var message: String
  /// The offending value as JSON text, already redacted when the input is encrypted.
  public var value: String?
  /// The template line and column of the rule broken (nil when the rule is not written in the template).
  public var line: Int?
  public var column: Int?
  /// Where the value was given (`--input`, the inputs file, `VRA_INPUT_<NAME>`), when it came from an
  /// `InputSources` gathering; nil for values handed over directly.
  public var source: InputOrigin?

  public init(path: String, rule: String, message: String, value: String? = nil, location: SourceLocation? = nil) {
    self.path = path
    self.rule = rule
    self.message = message
    self.value = value
    self.line = location?.line
    self.column = location?.column
  }

  public var description: String {
    let position = line.map { " (template line \($0))" } ?? ""
    let origin = source.map { " (from \($0))" } ?? ""
    return "\(path.isEmpty ? "/" : path): \(message)\(origin)\(position)"
  }

  /// What replaces the value of an `encrypted` input everywhere it would be shown.
  public static let redacted = "********"
}
