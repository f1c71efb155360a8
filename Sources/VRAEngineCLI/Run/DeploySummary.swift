import CloudTemplate
import Engine
import EngineRuntime
import Foundation
import RunState
import VRAClient
import VRAModels

/// The end of `deploy`'s text output: the deployment, how it ended, its resources and outputs.
enum DeploySummary {
  static func text(of stage: StageRecord, run: RunRecord, client: VRAClient) async -> String {
    let name = stage.deploymentName ?? "?"
    var lines = ["deployment \(name)" + (stage.deploymentId.map { " (id \($0))" } ?? "") + ": \(headline(stage))"]
    if let request = stage.requestId {
      lines.append("  request: \(request)")
    } else if let request = stage.blueprintRequestId {
      lines.append("  blueprint request: \(request)")
    }
    if let error = stage.error { lines.append("  error: \(error)") }
    if stage.status == .submitted {
      lines.append("  not waited for; follow it with: vra-engine runs watch \(run.id)")
      return lines.joined(separator: "\n")
    }

    let resources = await rows(of: stage, client: client)
    if !resources.isEmpty {
      lines.append("resources:")
      let nameWidth = resources.map(\.name.count).max()! + 2
      let typeWidth = resources.map(\.type.count).max()! + 2
      for row in resources {
        lines.append(
          "  " + row.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + row.type.padding(toLength: typeWidth, withPad: " ", startingAt: 0) + (row.address ?? ""))
      }
    }
    let outputs = stage.outputs?.objectValue ?? [:]
    if !outputs.isEmpty {
      lines.append("outputs:")
      for key in outputs.keys.sorted() {
        let value = outputs[key]!
        lines.append("  \(key) = \(value.stringValue ?? JSONText.render(value))")
      }
    }
    return lines.joined(separator: "\n").trimmingCharacters(in: .whitespaces)
  }

  private static func headline(_ stage: StageRecord) -> String {
    switch stage.status {
    case .submitted: "accepted by vRA, still in progress"
    default: stage.status.rawValue
    }
  }

  private struct Row {
    var name: String
    var type: String
    var address: String?
  }

  /// The deployment's resources as vRA lists them (with their types); the recorded ones if vRA cannot be asked.
  private static func rows(of stage: StageRecord, client: VRAClient) async -> [Row] {
    if let id = stage.deploymentId, let deployment = try? await client.deployment(id: id, expand: [.resources]),
      let resources = deployment.resources
    {
      return resources.map { Row(name: $0.name, type: $0.type, address: $0.properties?["address"]?.stringValue) }
        .sorted { $0.name < $1.name }
    }
    return (stage.resources?.objectValue ?? [:]).keys.sorted().map { name in
      Row(
        name: name, type: stage.resources?[name]?["resourceType"]?.stringValue ?? "",
        address: stage.resources?[name]?["address"]?.stringValue)
    }
  }
}
