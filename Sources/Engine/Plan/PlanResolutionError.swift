/// A reference that cannot be resolved when a stage starts, naming the stage, the field and the reference.
public struct PlanResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
    case invalidReference
    case missingEnvironmentVariable
    case stageNotFinished
    case missingOutput
    case missingResource
    case missingProperty
    /// The value is a secret the state store keeps only redacted (a stage finished by an earlier attempt).
    case redactedValue
  }

  public var code: Code
  /// The stage whose value was being resolved.
  public var stage: String
  /// The field holding the reference: `inputs.dbHost`, `inputs.tags[1]`, `deploymentName`.
  public var field: String
  /// The expression as written, e.g. `${stages.db.outputs.address}`.
  public var reference: String
  /// What is wrong, without the stage/field prefix.
  public var reason: String
  public var hint: String?

  public init(code: Code, stage: String, field: String, reference: String, reason: String, hint: String? = nil) {
    self.code = code
    self.stage = stage
    self.field = field
    self.reference = reference
    self.reason = reason
    self.hint = hint
  }

  /// `stage 'app', inputs.dbHost: ${stages.db.outputs.address}: stage 'db' has no output 'address'`.
  public var message: String {
    "stage '\(stage)', \(field): \(reference): \(reason)"
  }

  public var description: String {
    message + (hint.map { " (\($0))" } ?? "")
  }
}
