/// serve.yaml cannot be used: every problem found, not just the first, so one edit fixes them all.
public struct ServeConfigurationError: Error, Sendable, CustomStringConvertible {
  public var problems: [ServeConfigurationProblem]

  public init(problems: [ServeConfigurationProblem]) {
    self.problems = problems
  }

  /// One `file:line:column: field: message` per line.
  public var description: String { problems.map(\.description).joined(separator: "\n") }
}
