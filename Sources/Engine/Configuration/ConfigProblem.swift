import CloudTemplate

/// One thing wrong with a configuration: where (file, line, key) and what.
public struct ConfigProblem: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file, or the environment variable or flag the value came from.
  public var source: String
  /// nil when the source is not a file.
  public var location: SourceLocation?
  /// The dotted key as written, e.g. `profiles.lab.polling.min`.
  public var key: String
  public var message: String
  public var hint: String?

  public init(source: String, location: SourceLocation?, key: String, message: String, hint: String? = nil) {
    self.source = source
    self.location = location
    self.key = key
    self.message = message
    self.hint = hint
  }

  /// `vra-engine.toml:7:1: polling.min: expected a duration ... (hint)`, like a compiler.
  public var description: String {
    let place = location.map { "\(source):\($0.line):\($0.column)" } ?? source
    let field = key.isEmpty ? "" : "\(key): "
    return "\(place): \(field)\(message)" + (hint.map { " (\($0))" } ?? "")
  }
}

/// Every problem of a configuration at once; the CLI prints them and exits 2.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
  public var problems: [ConfigProblem]

  public init(_ problems: [ConfigProblem]) { self.problems = problems }

  public var description: String { problems.map { "error: \($0)" }.joined(separator: "\n") }
}
