/// The offline checks vRA applies to a template before it accepts a request, all reported at once.
///
/// `TemplateParser` checks structure; this checks meaning: references to inputs and resources that
/// exist, `dependsOn` targets, dependency cycles, input patterns and literal defaults. Parser warnings
/// are passed through so one call returns every finding in file order.
public enum TemplateValidator {
  public static func validate(_ template: Template) -> [TemplateDiagnostic] {
    var findings = template.warnings + template.expressionErrors
    findings += referenceFindings(template)
    findings += dependsOnFindings(template)
    findings += inputFindings(template)
    do {
      _ = try ResourceGraph(template: template)
    } catch {
      findings += error.diagnostics
    }
    return findings.sorted { ($0.line, $0.column, $0.path) < ($1.line, $1.column, $1.path) }
  }

  /// Unknown `input.X`, `resource.X` and unknown expression roots, with a "did you mean".
  private static func referenceFindings(_ template: Template) -> [TemplateDiagnostic] {
    let inputNames = template.inputs.map(\.name)
    let resourceNames = template.resources.map(\.name)
    let knownInputs = Set(inputNames)
    let knownResources = Set(resourceNames)
    var references = template.inputReferences + template.resources.flatMap(\.references)
    references += template.outputs.flatMap(\.references)
    var findings: [TemplateDiagnostic] = []
    for reference in references {
      guard let name = reference.name else { continue }
      switch reference.kind {
      case .input where !knownInputs.contains(name):
        findings.append(
          diagnostic(
            .unknownInput, "'\(reference.text)' refers to input '\(name)', which the template does not declare",
            reference, template, hint: NameSuggester.hint(for: name, among: inputNames)))
      case .resource where !knownResources.contains(name):
        findings.append(
          diagnostic(
            .unknownResource, "'\(reference.text)' refers to resource '\(name)', which the template does not declare",
            reference, template, hint: NameSuggester.hint(for: name, among: resourceNames)))
      case .unknown:
        findings.append(
          TemplateDiagnostic(
            severity: .warning, code: .unknownExpressionRoot,
            message:
              "'\(reference.text)' starts with '\(name)', which is not input, resource, self, propgroup, env or secret",
            file: template.fileName, location: reference.location, path: reference.path))
      default:
        continue
      }
    }
    return findings
  }

  private static func diagnostic(
    _ code: DiagnosticCode, _ message: String, _ reference: ExpressionReference, _ template: Template, hint: String?
  ) -> TemplateDiagnostic {
    TemplateDiagnostic(
      severity: .error, code: code, message: message, file: template.fileName, location: reference.location,
      path: reference.path, hint: hint)
  }

  /// `dependsOn` entries that name no resource.
  private static func dependsOnFindings(_ template: Template) -> [TemplateDiagnostic] {
    let names = template.resources.map(\.name)
    let known = Set(names)
    var findings: [TemplateDiagnostic] = []
    for resource in template.resources {
      for (index, target) in resource.dependsOn.enumerated() {
        let location =
          index < resource.dependsOnLocations.count ? resource.dependsOnLocations[index] : resource.location
        let path = "/resources/\(JSONPointer.escape(resource.name))/dependsOn/\(index)"
        // A resource naming itself is a one-element cycle, which ResourceGraph reports.
        if target != resource.name, !known.contains(target) {
          findings.append(
            TemplateDiagnostic(
              severity: .error, code: .unknownResource,
              message: "dependsOn names '\(target)', which is not a resource of this template",
              file: template.fileName, location: location, path: path,
              hint: NameSuggester.hint(for: target, among: names)))
        }
      }
    }
    return findings
  }

  /// Unusable `pattern`s, literal defaults that break their own schema, and server-resolved inputs.
  private static func inputFindings(_ template: Template) -> [TemplateDiagnostic] {
    var findings: [TemplateDiagnostic] = []
    for input in template.inputs {
      let path = "/inputs/\(JSONPointer.escape(input.name))"
      let schema = input.schema
      if let pattern = schema.pattern, let problem = PatternSafety.problem(with: pattern) {
        findings.append(
          TemplateDiagnostic(
            severity: .error, code: problem.isUnsafe ? .unsafePattern : .invalidPattern,
            message: "input '\(input.name)': \(problem)", file: template.fileName,
            location: schema.location(of: "pattern"), path: path + "/pattern"))
      }
      if let value = schema.defaultValue, !schema.hasDynamicDefault, schema.reference == nil {
        for violation in InputValidator.violations(of: value, against: schema, path: "") {
          findings.append(
            TemplateDiagnostic(
              severity: .error, code: .invalidDefault,
              message: "input '\(input.name)': the default breaks its own schema: \(violation.message)",
              file: template.fileName, location: schema.location(of: "default"), path: path + "/default"))
        }
      }
      if schema.isResolvedByServer || schema.hasDynamicDefault {
        findings.append(
          TemplateDiagnostic(
            severity: .warning, code: .resolvedAtRequestTime,
            message: "input '\(input.name)' is resolved by vRA at request time; its values are not checked offline",
            file: template.fileName, location: input.location, path: path))
      }
    }
    return findings
  }
}
