import CloudTemplate
import Engine
import Foundation
import VRAModels

/// `apply --dry-run`: the layers, and for each stage the request that would be sent, with the
/// values of encrypted inputs replaced and references to other stages left as written (they are
/// only known once those stages finish).
enum DryRun {
  static func describe(_ plan: Plan, environment: [String: String]) -> String {
    var lines = ["plan \(plan.name): \(plan.stages.count) stages"]
    guard let graph = try? StageGraph(plan: plan) else { return lines.joined(separator: "\n") }
    let context = ResolutionContext(runId: RunID(rawValue: "<run-id>"), environment: environment)
    for (index, layer) in graph.layers.enumerated() {
      lines.append("layer \(index + 1): \(layer.joined(separator: ", "))")
      for name in layer {
        guard let stage = plan.stage(named: name) else { continue }
        let deploymentName = (try? PlanResolver.resolveDeploymentName(of: stage, in: context)) ?? stage.deploymentName
        lines.append(
          "  \(name): \(stage.source.summary) → deployment \(deploymentName) in project \(plan.project(for: stage) ?? "?")"
        )
        let encrypted = Set(stage.source.template?.inputs.filter(\.isEncrypted).map(\.name) ?? [])
        for key in stage.inputs.keys.sorted() {
          let value: String
          if encrypted.contains(key) {
            value = InputViolation.redacted
          } else if let resolved = try? PlanResolver.resolve(stage.inputs[key]!, in: context, stage: name, field: key) {
            value = JSONText.render(resolved, pretty: false)
          } else {
            value = JSONText.render(stage.inputs[key]!, pretty: false) + "  (known when its stage finishes)"
          }
          lines.append("    \(key) = \(value)")
        }
      }
    }
    return lines.joined(separator: "\n")
  }
}
