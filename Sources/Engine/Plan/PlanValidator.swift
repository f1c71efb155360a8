import CloudTemplate
import Foundation
import RunState
import VRAModels

/// The checks `apply` runs before it submits anything, all reported at once.
///
/// - each template stage's template (`TemplateValidator`), with the template's file and line;
/// - `dependsOn` entries and references naming a stage the plan does not have (with "did you mean");
/// - references that are not plan references, or read an output a template does not declare or a
///   resource it does not have;
/// - dependency cycles, with their path;
/// - `${env.X}` naming a variable not set in `environment`;
/// - every stage's input values against its template's inputs (`InputValidator`), except the inputs that
///   wait on another stage's result and the `secrets:` (their values are read when the run starts);
///   unknown input names are reported even for those, and a secret counts as given for `required`.
///
/// Blueprint and catalog-item stages have no local schema: their inputs are checked by vRA.
public enum PlanValidator {
  /// The run id used to resolve `${run.id}` while checking inputs (the real one is not known yet).
  public static let placeholderRunID = RunID(rawValue: "00000000")

  public static func validate(_ plan: Plan, environment: [String: String]) -> [PlanDiagnostic] {
    validate(plan, environment: environment, uncheckedStages: [])
  }

  /// `uncheckedStages` are stages whose source could not be loaded: they count as existing stages, but
  /// nothing is checked against their template.
  static func validate(
    _ plan: Plan, environment: [String: String], uncheckedStages: Set<String>
  ) -> [PlanDiagnostic] {
    var findings: [PlanDiagnostic] = []
    let stageNames = plan.stageNames
    let known = Set(stageNames)
    var validatedTemplates: Set<String> = []
    for stage in plan.stages where !uncheckedStages.contains(stage.name) {
      guard case .template(let url, let template) = stage.source, validatedTemplates.insert(url.path).inserted else {
        continue
      }
      findings += TemplateValidator.validate(template).map { PlanDiagnostic(template: $0, stage: stage.name) }
    }
    for stage in plan.stages {
      let stagePath = JSONPointer.appending(stage.name, to: "/stages")
      for (index, target) in stage.dependsOn.enumerated() where !known.contains(target) {
        findings.append(
          PlanDiagnostic(
            code: .unknownStage, message: "stage '\(stage.name)' depends on '\(target)', which the plan does not have",
            file: plan.file,
            location: index < stage.dependsOnLocations.count ? stage.dependsOnLocations[index] : stage.location,
            path: JSONPointer.appending(index, to: stagePath + "/dependsOn"),
            hint: suggestion(for: target, among: stageNames), stage: stage.name))
      }
      if let action = stage.source.action, let finding = check(action, of: stage, plan: plan, path: stagePath) {
        findings.append(finding)
      }
      for (pointer, occurrence) in PlanStage.referenceOccurrences(in: stage) {
        if let finding = check(
          occurrence, in: stage, plan: plan, path: stagePath + pointer, environment: environment,
          unchecked: uncheckedStages)
        {
          findings.append(finding)
        }
      }
    }
    findings += StageGraph.cycleDiagnostics(stages: stageNames, edges: StageEdge.edges(of: plan), file: plan.file) ?? []
    for stage in plan.stages where !uncheckedStages.contains(stage.name) {
      guard let template = stage.source.template else { continue }
      findings += inputFindings(stage, template: template, plan: plan, environment: environment)
    }
    return ordered(findings, planFile: plan.file)
  }

  /// The plan file's findings first, by position, then each template's.
  static func ordered(_ findings: [PlanDiagnostic], planFile: String) -> [PlanDiagnostic] {
    findings.sorted { lhs, rhs in
      let left = (lhs.file == planFile ? 0 : 1, lhs.file, lhs.line, lhs.column, lhs.path)
      let right = (rhs.file == planFile ? 0 : 1, rhs.file, rhs.line, rhs.column, rhs.path)
      return left < right
    }
  }

  // MARK: References

  /// An action stage's `stage:` names a stage of the plan, and its `resource:` a resource of that
  /// stage's template when the template is local.
  private static func check(_ action: StageAction, of stage: PlanStage, plan: Plan, path: String) -> PlanDiagnostic? {
    guard case .stage(let target) = action.target else { return nil }
    guard let targetStage = plan.stage(named: target), target != stage.name else {
      return PlanDiagnostic(
        code: .unknownStage,
        message: target == stage.name
          ? "the action of stage '\(stage.name)' acts on the stage itself"
          : "the action of stage '\(stage.name)' acts on stage '\(target)', which the plan does not have",
        file: plan.file, location: stage.location(of: "/action/stage"), path: path + "/action/stage",
        hint: suggestion(for: target, among: plan.stageNames.filter { $0 != stage.name }), stage: stage.name)
    }
    if targetStage.source.check != nil {
      return PlanDiagnostic(
        code: .unknownStage,
        message: "the action of stage '\(stage.name)' acts on stage '\(target)', a check, which has no deployment",
        file: plan.file, location: stage.location(of: "/action/stage"), path: path + "/action/stage",
        hint: "to run the action after the check, act on the deployed stage and add `dependsOn: [\(target)]`",
        stage: stage.name)
    }
    guard let resource = action.resource, let template = targetStage.source.template,
      template.resource(named: resource) == nil
    else { return nil }
    let names = template.resources.map(\.name)
    return PlanDiagnostic(
      code: .unknownResource,
      message: "the action of stage '\(stage.name)' acts on resource '\(resource)', which the template of stage "
        + "'\(target)' (\(template.fileName)) does not have",
      file: plan.file, location: stage.location(of: "/action/resource"), path: path + "/action/resource",
      hint: suggestion(for: resource, among: names) ?? "resources: \(names.joined(separator: ", "))", stage: stage.name)
  }

  private static func check(
    _ occurrence: PlanReferenceScanner.Occurrence, in stage: PlanStage, plan: Plan, path: String,
    environment: [String: String], unchecked: Set<String>
  ) -> PlanDiagnostic? {
    func finding(_ code: PlanDiagnosticCode, _ message: String, hint: String? = nil) -> PlanDiagnostic {
      PlanDiagnostic(
        code: code, message: message, file: plan.file, location: occurrence.location, path: path, hint: hint,
        stage: stage.name)
    }
    guard let reference = occurrence.reference else {
      return finding(
        .invalidReference, occurrence.problem ?? "'\(occurrence.expression)' is not a valid reference",
        hint: occurrence.hint)
    }
    switch reference {
    case .runID:
      return nil
    case .environment(let name):
      guard environment[name] == nil else { return nil }
      return finding(
        .unknownEnvironmentVariable,
        "'\(occurrence.expression)' reads environment variable '\(name)', which is not set",
        hint: NameSuggester.suggestion(for: name, among: environment.keys).map { "did you mean '\($0)'?" }
          ?? "export \(name) before running the plan")
    case .output(let target, _, _), .resource(let target, _, _, _), .deployment(let target, _):
      guard let targetStage = plan.stage(named: target) else {
        return finding(
          .unknownStage, "'\(occurrence.expression)' refers to stage '\(target)', which the plan does not have",
          hint: suggestion(for: target, among: plan.stageNames))
      }
      guard !unchecked.contains(target), let template = targetStage.source.template else { return nil }
      switch reference {
      case .output(_, let output, _) where !template.outputs.contains(where: { $0.name == output }):
        let names = template.outputs.map(\.name)
        return finding(
          .unknownOutput,
          "'\(occurrence.expression)' reads output '\(output)', which the template of stage '\(target)' "
            + "(\(template.fileName)) does not declare",
          hint: suggestion(for: output, among: names)
            ?? (names.isEmpty ? "the template has no outputs" : "declared outputs: \(names.joined(separator: ", "))"))
      case .resource(_, let resource, _, _) where template.resource(named: resource) == nil:
        let names = template.resources.map(\.name)
        return finding(
          .unknownResource,
          "'\(occurrence.expression)' reads resource '\(resource)', which the template of stage '\(target)' "
            + "(\(template.fileName)) does not have",
          hint: suggestion(for: resource, among: names) ?? "resources: \(names.joined(separator: ", "))")
      default:
        return nil
      }
    }
  }

  private static func suggestion(for name: String, among names: [String]) -> String? {
    NameSuggester.suggestion(for: name, among: names).map { "did you mean '\($0)'?" }
  }

  // MARK: Inputs

  private static func inputFindings(
    _ stage: PlanStage, template: Template, plan: Plan, environment: [String: String]
  ) -> [PlanDiagnostic] {
    let context = ResolutionContext(runId: placeholderRunID, environment: environment)
    var resolved: [String: JSONValue] = [:]
    // Inputs that wait on another stage, or whose references are broken (reported above), are not checked.
    var skipped: Set<String> = []
    for (name, value) in stage.inputs {
      if !PlanReferenceScanner.stages(referencedBy: value).isEmpty {
        skipped.insert(name)
        resolved[name] = value
        continue
      }
      do {
        resolved[name] = try PlanResolver.resolve(value, in: context, stage: stage.name, field: "inputs.\(name)")
      } catch {
        skipped.insert(name)
        resolved[name] = value
      }
    }
    for name in stage.secrets.keys {
      skipped.insert(name)
      resolved[name] = .string("")
    }
    let result = InputValidator.validate(resolved, against: template)
    let stagePath = JSONPointer.appending(stage.name, to: "/stages")
    // vRA keeps an input that is not `encrypted` readable to anyone who can see the deployment.
    let exposedSecrets = template.inputs.filter { stage.secrets[$0.name] != nil && !$0.isEncrypted }.map { input in
      let pointer = JSONPointer.appending(input.name, to: "/secrets")
      return PlanDiagnostic(
        severity: .warning, code: .secretInputNotEncrypted,
        message: "stage '\(stage.name)', input '\(input.name)' receives a secret, but \(template.fileName) does not "
          + "mark it encrypted: vRA shows its value to anyone who can read the deployment",
        file: plan.file, location: stage.location(of: pointer), path: stagePath + pointer,
        hint: "add `encrypted: true` to the input in the template", stage: stage.name)
    }
    return exposedSecrets
      + result.violations.compactMap { violation -> PlanDiagnostic? in
        let input = topToken(of: violation.path)
        if skipped.contains(input) && violation.rule != "unknownInput" { return nil }
        let section = stage.secrets[input] != nil ? "/secrets" : "/inputs"
        let location: SourceLocation
        if violation.rule == "required" {
          location = stage.valueLocations["/inputs"] ?? stage.location
        } else {
          location = stage.location(of: section + violation.path)
        }
        let rule = violation.line.map { line in
          "the rule is at \(template.fileName):\(line):\(violation.column ?? 1)"
        }
        return PlanDiagnostic(
          code: .inputViolation, message: "stage '\(stage.name)', input '\(input)': \(violation.message)",
          file: plan.file, location: location, path: stagePath + section + violation.path, hint: rule,
          stage: stage.name)
      }
  }

  private static func topToken(of pointer: String) -> String {
    let tokens = pointer.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
    guard tokens.count > 1 else { return "" }
    return String(tokens[1]).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
  }
}
