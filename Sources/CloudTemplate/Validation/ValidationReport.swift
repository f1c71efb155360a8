import Foundation

/// Everything `vra-engine validate` checks, in one pass: the template (structure, references,
/// cycles, input schemas) and the input values from every source.
///
/// The findings come in this order: template findings by position, then problems with the input
/// sources, then input violations in template input order.
public struct ValidationReport: Sendable, Hashable {
  /// The parsed template, nil when it could not be read or parsed.
  public var template: Template?
  /// The input values that would be sent (given values plus defaults); never print them whole:
  /// encrypted inputs are in here in clear.
  public var boundInputs: [String: JSONValue]
  public var findings: [ValidationFinding]
  /// The `${secret.X}` references: listed for the reader, neither errors nor warnings.
  public var secrets: [TemplateSecretReference]

  public init(
    template: Template?, boundInputs: [String: JSONValue], findings: [ValidationFinding],
    secrets: [TemplateSecretReference] = []
  ) {
    self.template = template
    self.boundInputs = boundInputs
    self.findings = findings
    self.secrets = secrets
  }

  public var errors: [ValidationFinding] { findings.filter(\.isError) }
  public var warnings: [ValidationFinding] { findings.filter { !$0.isError } }
  public var isValid: Bool { !findings.contains(where: \.isError) }

  /// Reads, parses and validates the template at `path` and the inputs from `sources`.
  public static func check(templateAt path: String, inputs sources: InputSources) -> ValidationReport {
    let template: Template
    do {
      template = try TemplateParser.parse(contentsOf: URL(fileURLWithPath: path), limits: sources.limits)
    } catch {
      return ValidationReport(template: nil, boundInputs: [:], findings: error.diagnostics.map(ValidationFinding.init))
    }
    return check(template, inputs: sources)
  }

  /// Validates a parsed template and the inputs from `sources`.
  public static func check(_ template: Template, inputs sources: InputSources) -> ValidationReport {
    var findings = TemplateValidator.validate(template).map(ValidationFinding.init)
    let gathered = sources.gather(for: template)
    findings += gathered.problems.map(ValidationFinding.init)
    let result = gathered.validate(against: template)
    findings += result.violations.map { ValidationFinding($0, templateFile: template.fileName) }
    return ValidationReport(
      template: template, boundInputs: result.boundInputs, findings: findings,
      secrets: TemplateSecretReference.all(in: template))
  }

  /// `{"valid": bool, "errors": [...], "warnings": [...], "secrets": [...]}`, each error and warning a
  /// `ValidationFinding.jsonValue`, each secret a `TemplateSecretReference.jsonValue`.
  public var jsonValue: JSONValue {
    .object([
      "valid": .bool(isValid),
      "errors": .array(errors.map(\.jsonValue)),
      "warnings": .array(warnings.map(\.jsonValue)),
      "secrets": .array(secrets.map(\.jsonValue)),
    ])
  }
}
