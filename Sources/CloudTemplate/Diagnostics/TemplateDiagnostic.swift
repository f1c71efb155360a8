/// One problem found in a template, with the position of the YAML node that causes it.
public struct TemplateDiagnostic: SourceDiagnostic, Sendable, Hashable, Codable {
  public enum Severity: String, Sendable, Hashable, Codable {
    case error
    case warning
  }

  public var severity: Severity
  public var code: DiagnosticCode
  public var message: String
  public var file: String
  public var location: SourceLocation
  /// JSON pointer of the offending field, e.g. `/resources/web/properties/network`.
  public var path: String
  /// A suggestion, e.g. the "did you mean" candidate.
  public var hint: String?

  public init(
    severity: Severity, code: DiagnosticCode, message: String, file: String, location: SourceLocation,
    path: String, hint: String? = nil
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.file = file
    self.location = location
    self.path = path
    self.hint = hint
  }
}
