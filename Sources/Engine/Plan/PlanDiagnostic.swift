import CloudTemplate

/// One problem found in a plan (or in a template one of its stages deploys), with its position.
public struct PlanDiagnostic: SourceDiagnostic, Sendable, Hashable, Codable {
  public var severity: TemplateDiagnostic.Severity
  public var code: PlanDiagnosticCode
  public var message: String
  /// The file the position is in: the plan file, or a stage's template for `.template` diagnostics.
  public var file: String
  public var location: SourceLocation
  /// JSON pointer of the offending field, e.g. `/stages/db/inputs/network` (in the template for `.template`).
  public var path: String
  /// A suggestion, e.g. the "did you mean" candidate.
  public var hint: String?
  /// The stage the problem belongs to, when it belongs to one.
  public var stage: String?
  /// The template diagnostic's own code, for `.template` diagnostics.
  public var templateCode: DiagnosticCode?

  public init(
    severity: TemplateDiagnostic.Severity = .error, code: PlanDiagnosticCode, message: String, file: String,
    location: SourceLocation, path: String, hint: String? = nil, stage: String? = nil,
    templateCode: DiagnosticCode? = nil
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.file = file
    self.location = location
    self.path = path
    self.hint = hint
    self.stage = stage
    self.templateCode = templateCode
  }

  /// A template's diagnostic, reported as part of the stage that deploys the template.
  public init(template diagnostic: TemplateDiagnostic, stage: String) {
    self.init(
      severity: diagnostic.severity, code: .template, message: diagnostic.message, file: diagnostic.file,
      location: diagnostic.location, path: diagnostic.path, hint: diagnostic.hint, stage: stage,
      templateCode: diagnostic.code)
  }
}
