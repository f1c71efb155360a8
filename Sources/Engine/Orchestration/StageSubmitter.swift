import Foundation
import VRAClient
import VRAModels

/// Sends one stage to vRA: a template as an inline blueprint request, a blueprint by name and
/// version, or a catalog item request. The client's create-once logic looks the deployment up by
/// name after an ambiguous failure, so a retry here never makes a second deployment.
struct StageSubmitter: Sendable {
  let client: VRAClient

  /// What to deploy, already resolved: no `${...}` left in the name or the inputs.
  struct Order: Sendable {
    var source: StageSource
    var deploymentName: String
    var projectId: String
    var inputs: [String: JSONValue]
    var reason: String
  }

  func submit(_ order: Order) async throws -> Submission {
    switch order.source {
    case .template(let path, _):
      let content: String
      do {
        content = try String(contentsOf: path, encoding: .utf8)
      } catch {
        throw StageFailure(message: "cannot read \(path.path): \(error.localizedDescription)")
      }
      return try await blueprintRequest(
        BlueprintRequest(
          content: content, deploymentName: order.deploymentName, projectId: order.projectId, inputs: order.inputs,
          reason: order.reason))
    case .blueprint(let name, let version):
      let blueprintId = try await blueprintId(named: name, projectId: order.projectId)
      return try await blueprintRequest(
        BlueprintRequest(
          blueprintId: blueprintId, blueprintVersion: version, deploymentName: order.deploymentName,
          projectId: order.projectId, inputs: order.inputs, reason: order.reason))
    case .catalogItem(let name, let version):
      let itemId = try await catalogItemId(named: name, projectId: order.projectId)
      let answers = try await client.requestCatalogItem(
        id: itemId,
        CatalogItemRequest(
          deploymentName: order.deploymentName, projectId: order.projectId, inputs: order.inputs,
          reason: order.reason, version: version))
      guard let deploymentId = answers.first?.deploymentId else {
        throw StageFailure(message: "vRA accepted the catalog request but named no deployment")
      }
      return Submission(deploymentId: deploymentId)
    }
  }

  private func blueprintRequest(_ request: BlueprintRequest) async throws -> Submission {
    let answer = try await client.createBlueprintRequest(request)
    guard let deploymentId = answer.deploymentId else {
      throw StageFailure(
        message:
          "vRA accepted the blueprint request but created no deployment (status \(answer.status?.rawValue ?? "?"))",
        hint: answer.failureMessage)
    }
    return Submission(deploymentId: deploymentId, requestId: nil, blueprintRequestId: answer.id)
  }

  private func blueprintId(named name: String, projectId: String) async throws -> String {
    let found = try await client.blueprints(name: name, projects: [projectId]).collect()
    if let id = found.first(where: { $0.name == name || $0.id == name })?.id { return id }
    throw StageFailure(message: "no blueprint '\(name)' in the project", hint: "check the name, or use a template file")
  }

  private func catalogItemId(named name: String, projectId: String) async throws -> String {
    let found = try await client.catalogItems(search: name, projects: [projectId]).collect()
    if let id = found.first(where: { $0.name == name || $0.id == name })?.id { return id }
    throw StageFailure(message: "no catalog item '\(name)' available to the project")
  }
}
