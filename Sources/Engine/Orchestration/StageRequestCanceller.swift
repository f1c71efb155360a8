import RunState
import VRAClient
import VRAModels

/// Cancels the request a stage follows, through the call that request answers to: a blueprint
/// request's `actions/cancel` for what a blueprint request started (creates, updates by blueprint
/// request), `POST /deployment/api/requests/{id}?action=cancel` for a day-2 action's request (an
/// action stage, a catalog item's `Deployment.Update`).
struct StageRequestCanceller: Sendable {
  enum Kind: Sendable {
    /// The stage created or updated a deployment with a blueprint or catalog request: the blueprint
    /// request is cancelled (found from the deployment when its id was not recorded).
    case deployment
    /// The stage's request is a day-2 action (an action stage, a catalog item's `Deployment.Update`):
    /// only that request may be cancelled, never the deployment's other requests.
    case action
  }

  let client: VRAClient

  func cancel(
    blueprintRequestId: String?, requestId: String?, deploymentId: String?, kind: Kind
  ) async throws -> StageCancelOutcome {
    switch kind {
    case .deployment:
      return try await BlueprintRequestCanceller(client: client).cancel(
        id: blueprintRequestId, deploymentId: deploymentId)
    case .action:
      guard let requestId else { return .nothingToCancel }
      return try await cancelDeploymentRequest(requestId)
    }
  }

  private func cancelDeploymentRequest(_ id: String) async throws -> StageCancelOutcome {
    do {
      try await client.cancelDeploymentRequest(id: id)
      return .cancelled
    } catch let error as VRAError {
      switch error.errorClass {
      case .validation, .conflict:
        let status = (try? await client.request(id: id))?.status?.rawValue
        return .alreadyFinished(status: status ?? error.message)
      default:
        throw error
      }
    }
  }
}

extension StageRequestCanceller.Kind {
  /// The kind of what a stored stage did: an update recorded without a blueprint request was a
  /// catalog item's `Deployment.Update` action.
  init(_ operation: StageOperation?, blueprintRequestId: String?) {
    self = operation == .action || (operation == .update && blueprintRequestId == nil) ? .action : .deployment
  }
}
