import CloudTemplate
import Engine
import Foundation
import VRAClient
import VRAModels

/// `apply --dry-run`: the layers, and for each stage the request that would be sent, as its method,
/// path and JSON body. Nothing is sent. Values of `encrypted` inputs are masked; so are inputs
/// named like credentials (`password`, `token`, ...) of blueprint and catalog-item stages, whose
/// inputs schema (and so which inputs are encrypted) only vRA knows. References to other stages
/// are left as written: they are only known once those stages finish.
enum DryRun {
  static func describe(_ plan: Plan, environment: [String: String]) -> String {
    var lines = ["plan \(plan.name): \(plan.stages.count) stages (dry run: nothing is sent)"]
    guard let graph = try? StageGraph(plan: plan) else { return lines.joined(separator: "\n") }
    let context = ResolutionContext(runId: RunID(rawValue: "<run-id>"), environment: environment)
    for (index, layer) in graph.layers.enumerated() {
      lines.append("layer \(index + 1): \(layer.joined(separator: ", "))")
      for name in layer {
        guard let stage = plan.stage(named: name) else { continue }
        lines.append(contentsOf: request(for: stage, in: plan, context: context).map { "  " + $0 })
      }
    }
    return lines.joined(separator: "\n")
  }

  /// `name: POST path` and the indented body of the request `stage` would send.
  private static func request(for stage: PlanStage, in plan: Plan, context: ResolutionContext) -> [String] {
    let deploymentName = (try? PlanResolver.resolveDeploymentName(of: stage, in: context)) ?? stage.deploymentName
    let project = plan.project(for: stage) ?? "?"
    let masked = Set(stage.source.template?.inputs.filter(\.isEncrypted).map(\.name) ?? [])
    var inputs: [String: JSONValue] = [:]
    var waiting: [String] = []
    for (key, value) in stage.inputs {
      let hidden = masked.contains(key) || (stage.source.template == nil && SensitiveFieldName.matches(key))
      if hidden {
        inputs[key] = .string(InputViolation.redacted)
      } else if let resolved = try? PlanResolver.resolve(value, in: context, stage: stage.name, field: key) {
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
    lines += JSONText.render(.object(body), pretty: true).split(separator: "\n").map { "  " + $0 }
    if !waiting.isEmpty {
      lines.append(
        "  inputs resolved once the stages they reference finish: \(waiting.sorted().joined(separator: ", "))")
    }
    return lines
  }
}
