import CloudTemplate
import Credentials
import Engine
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
enum DryRun {
  static func describe(
    _ plan: Plan, environment: [String: String], redactor: Redactor = OutputRedaction.redactor
  ) -> String {
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
    let deploymentName = (try? PlanResolver.resolveDeploymentName(of: stage, in: context)) ?? stage.deploymentName
    let project = plan.project(for: stage) ?? "?"
    var inputs: [String: JSONValue] = stage.secrets.mapValues { _ in .string(Redactor.mask) }
    var waiting: [String] = []
    for (key, value) in stage.inputs {
      if let resolved = try? PlanResolver.resolve(value, in: context, stage: stage.name, field: key) {
        inputs[key] = resolved
      } else {
        inputs[key] = value
        waiting.append(key)
      }
    }
    var body: [String: JSONValue] = [
      "deploymentName": .string(deploymentName), "projectId": .string("<id of project \(project)>"),
      "inputs": .object(inputs), "reason": .string("vra-engine run <run-id> stage \(stage.name)"),
    ]
    let target: String
    switch stage.source {
    case .template(let path, _):
      target = "POST /blueprint/api/blueprint-requests"
      body["content"] = .string("<\(path.lastPathComponent), sent inline>")
    case .blueprint(let name, let version):
      target = "POST /blueprint/api/blueprint-requests"
      body["blueprintId"] = .string("<id of blueprint \(name)>")
      body["blueprintVersion"] = .string(version ?? "<latest released>")
    case .catalogItem(let name, let version):
      target = "POST /catalog/api/items/<id of \(name)>/request"
      body["version"] = .string(version ?? "<latest>")
    }
    var lines = [
      "\(stage.name): \(target)  (\(stage.source.summary) → deployment \(deploymentName), project \(project))"
    ]
    lines += JSONText.render(redactor.redact(.object(body)), pretty: true).split(separator: "\n").map { "  " + $0 }
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
}
