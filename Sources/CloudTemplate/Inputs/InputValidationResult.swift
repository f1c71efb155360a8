/// The outcome of checking a set of input values against a template.
public struct InputValidationResult: Sendable, Hashable {
  /// The values to send to vRA: the given ones plus the defaults of the inputs not given.
  public var boundInputs: [String: JSONValue]
  /// Every violation, in template input order.
  public var violations: [InputViolation]

  public init(boundInputs: [String: JSONValue], violations: [InputViolation]) {
    self.boundInputs = boundInputs
    self.violations = violations
  }

  public var isValid: Bool { violations.isEmpty }
}
