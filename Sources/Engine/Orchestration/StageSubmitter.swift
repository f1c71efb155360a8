import Foundation
import VRAClient
import VRAModels

/// Sends one stage to vRA: a template as an inline blueprint request, a blueprint by name and
/// version, or a catalog item request. The client's create-once logic looks the deployment up by
/// name after an ambiguous failure, so a retry here never makes a second deployment.
///
/// In two steps, so that the stage runner's intent write (checked against the run's lease) comes
/// right before the POST, with no lookup in between: an owner that stalls during the lookups and
/// lost the run meanwhile is refused at the intent, before it sends anything.
struct StageSubmitter: Sendable {
  let client: VRAClient
  let catalog: VRACatalog

  /// The request `order` makes: the template read, the blueprint's or catalog item's id looked up.
  func request(for order: StageRequest.Order) async throws -> StageRequest {
    StageRequest(order, targets: try await targets(of: order))
  }

  /// Sends `request` (the one create call).
  func send(_ request: StageRequest) async throws -> Submission {
    switch request {
    case .blueprint(let request):
      let answer = try await client.createBlueprintRequest(request)
      guard let deploymentId = answer.deploymentId else {
        throw StageFailure(
          message:
            "vRA accepted the blueprint request but created no deployment (status \(answer.status?.rawValue ?? "?"))",
          hint: answer.failureMessage)
      }
      return Submission(deploymentId: deploymentId, requestId: nil, blueprintRequestId: answer.id)
    case .catalogItem(let itemId, let request):
      let answers = try await client.requestCatalogItem(id: itemId, request)
      guard let deploymentId = answers.first?.deploymentId else {
        throw StageFailure(message: "vRA accepted the catalog request but named no deployment")
      }
      return Submission(deploymentId: deploymentId)
    case .action(let deploymentId, let resourceId, let request):
      let answer =
        if let resourceId {
          try await client.submitResourceAction(deploymentId: deploymentId, resourceId: resourceId, request)
        } else {
          try await client.submitDeploymentAction(deploymentId: deploymentId, request)
        }
      guard let requestId = answer.id else {
        throw StageFailure(message: "vRA accepted the action \(request.actionId ?? "?") but named no request")
      }
      return Submission(deploymentId: deploymentId, requestId: requestId)
    }
  }

  private func targets(of order: StageRequest.Order) async throws -> StageRequest.Targets {
    switch order.source {
    case .template(let path, _):
      do {
        return .init(content: try String(contentsOf: path, encoding: .utf8))
      } catch {
        throw StageFailure(message: "cannot read \(path.path): \(error.localizedDescription)")
      }
    case .blueprint(let name, _):
      guard let id = try await catalog.blueprint(name, projectId: order.projectId)?.id else {
        throw StageFailure(
          message: "no blueprint '\(name)' in the project", hint: "check the name, or use a template file")
      }
      return .init(blueprintId: id)
    case .catalogItem(let name, _):
      guard let id = try await catalog.catalogItem(name, projectId: order.projectId)?.id else {
        throw StageFailure(message: "no catalog item '\(name)' available to the project")
      }
      return .init(catalogItemId: id)
    case .action:
      // The deployment is another stage's or looked up by name: `ActionTarget` resolves it first.
      throw StageFailure(message: "an action stage's request is built from its resolved target")
    case .check:
      throw StageFailure(message: "a check stage sends no request to vRA")
    }
  }
}
