import CloudTemplate
import Credentials
import Foundation
import RunState
import VRAClient
import VRAModels

/// `apply --dry-run`: the layers, and for each stage the request that would be sent, as its method,
/// path and JSON body. Nothing is sent, and the plan's `secrets:` are not read (no Vault is needed):
/// they show as the mask, with their references listed. Each body passes the process's redactor,
/// which hides `encrypted` inputs, secret inputs and inputs named like credentials (`password`,
/// `token`, ...). References to other stages are left as written: they are only known once those
/// stages finish.
public enum DryRun {
  public static func describe(_ plan: Plan, environment: [String: String], redactor: Redactor) -> String {
    redactor.registerSensitiveNames(PlanSecrets.sensitiveNames(of: plan))
    var lines = ["plan \(plan.name): \(plan.stages.count) stages (dry run: nothing is sent)"]
    guard let graph = try? StageGraph(plan: plan) else { return lines.joined(separator: "\n") }
    let context = ResolutionContext(runId: RunID(rawValue: "<run-id>"), environment: environment)
    for (index, layer) in graph.layers.enumerated() {
      lines.append("layer \(index + 1): \(layer.joined(separator: ", "))")
      for name in layer {
        guard let stage = plan.stage(named: name) else { continue }
        lines.append(
          contentsOf: request(for: stage, in: plan, context: context, redactor: redactor).map { "  " + $0 })
      }
    }
    return lines.joined(separator: "\n")
  }

  /// `name: POST path` and the indented body of the request `stage` would send.
  private static func request(
    for stage: PlanStage, in plan: Plan, context: ResolutionContext, redactor: Redactor
  ) -> [String] {
    if let check = stage.source.check { return checkLines(stage, check, context: context, redactor: redactor) }
    let deploymentName = (try? PlanResolver.resolveDeploymentName(of: stage, in: context)) ?? stage.deploymentName
    let project = plan.project(for: stage) ?? "?"
    var (inputs, waiting) = resolvable(stage.inputs, of: stage, in: context)
    inputs.merge(stage.secrets.mapValues { _ in .string(Redactor.mask) }) { resolved, _ in resolved }
    let order = StageRequest.Order(
      source: stage.source, deploymentName: deploymentName, projectId: "<id of project \(project)>", inputs: inputs,
      reason: StageRequest.Order.reason(runId: context.runId, stage: stage.name))
    // The ids only vRA knows are placeholders; everything else is what a run sends.
    let request: StageRequest
    switch stage.source {
    case .template(let path, _):
      request = StageRequest(order, targets: .init(content: "<\(path.lastPathComponent), sent inline>"))
    case .blueprint(let name, _):
      request = StageRequest(order, targets: .init(blueprintId: "<id of blueprint \(name)>"))
    case .catalogItem(let name, _):
      request = StageRequest(order, targets: .init(catalogItemId: "<id of \(name)>"))
    case .check:
      return []
    case .action(let action):
      let deployment: String =
        switch action.target {
        case .stage(let stage): "<id of stage \(stage)'s deployment>"
        case .deployment(let name): "<id of deployment \(name)>"
        }
      request = StageRequest(
        order, targets: .init(deploymentId: deployment, resourceId: action.resource.map { "<id of resource \($0)>" }))
    }
    let what =
      stage.source.action == nil
      ? "\(stage.source.summary) → deployment \(deploymentName), project \(project)" : stage.source.summary
    var lines = ["\(stage.name): \(request.target)  (\(what))"]
    lines += JSONText.render(redactor.redact(request.body), pretty: true).split(separator: "\n").map { "  " + $0 }
    if !stage.secrets.isEmpty {
      let references = stage.secrets.keys.sorted().map { "\($0) ← \(stage.secrets[$0]!)" }
      lines.append("  secrets, read when the run starts: \(references.joined(separator: ", "))")
    }
    if !waiting.isEmpty {
      lines.append(
        "  inputs resolved once the stages they reference finish: \(waiting.sorted().joined(separator: ", "))")
    }
    return lines
  }
  /// The values resolved as far as the dry run can (no stage has run), and the keys of those that
  /// wait for a stage's result (kept as written).
  private static func resolvable(
    _ values: [String: JSONValue], of stage: PlanStage, in context: ResolutionContext
  ) -> (values: [String: JSONValue], waiting: [String]) {
    var resolved: [String: JSONValue] = [:]
    var waiting: [String] = []
    for (key, value) in values {
      if let value = try? PlanResolver.resolve(value, in: context, stage: stage.name, field: key) {
        resolved[key] = value
      } else {
        resolved[key] = value
        waiting.append(key)
      }
    }
    return (resolved, waiting)
  }

  /// `name: check http URL` and how it repeats; nothing of it goes to vRA.
  private static func checkLines(
    _ stage: PlanStage, _ check: StageCheck, context: ResolutionContext, redactor: Redactor
  ) -> [String] {
    let (settings, waiting) = resolvable(check.settings, of: stage, in: context)
    var resolved = check
    resolved.settings = settings
    // Header values may be credentials: only their names are shown.
    if let headers = settings["headers"]?.objectValue {
      resolved.settings["headers"] = .object(headers.mapValues { _ in .string(Redactor.mask) })
    }
    var lines = ["\(stage.name): check, nothing sent to vRA  (\(redactor.redact(resolved.summary)))"]
    lines.append(
      "  up to \(PlanDurationParser.text(check.timeout)), an attempt every \(PlanDurationParser.text(check.interval)) "
        + "(each within \(PlanDurationParser.text(check.attemptTimeout)))"
        + (check.kind == .http ? ", passing on HTTP \(check.expectStatus.map(String.init).joined(separator: "|"))" : "")
    )
    if let env = settings["env"]?.objectValue, !env.isEmpty {
      lines.append("  env: \(env.keys.sorted().joined(separator: ", "))")
    }
    if !stage.secrets.isEmpty {
      lines.append("  secrets as environment variables: \(stage.secrets.keys.sorted().joined(separator: ", "))")
    }
    if !waiting.isEmpty {
      lines.append("  resolved once the stages they reference finish: \(waiting.sorted().joined(separator: ", "))")
    }
    return lines
  }
}
