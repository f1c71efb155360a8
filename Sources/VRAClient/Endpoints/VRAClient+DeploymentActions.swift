import Foundation
import VRAModels

extension VRAClient {
  /// `GET /deployment/api/deployments/{id}/actions`: the day-2 actions of a deployment
  /// (`Deployment.Update`, `Deployment.Delete`, ...), each `valid` or not right now.
  public func deploymentActions(deploymentId: String) async throws -> [DeploymentAction] {
    try await get(
      "\(Self.deploymentsPath)/\(Query.segment(deploymentId))/actions", route: "\(Self.deploymentsPath)/{id}/actions")
  }

  /// `POST /deployment/api/deployments/{id}/requests`: runs a day-2 action and returns its request
  /// (follow it with `request(id:)`). A 409 means another request is in progress on the deployment
  /// (`VRAError.isRequestInProgress`).
  ///
  /// Never sent twice: the deployment's newest request is read before the POST (one more call);
  /// after an ambiguous failure the deployment's requests are looked up for one with this
  /// `actionId` newer than that, which is returned instead of sending again (`submitActionOnce`).
  public func submitDeploymentAction(
    deploymentId: String, _ request: ResourceActionRequest
  ) async throws -> DeploymentRequest {
    let path = "\(Self.deploymentsPath)/\(Query.segment(deploymentId))/requests"
    let route = "\(Self.deploymentsPath)/{id}/requests"
    return try await submitActionOnce(deploymentId: deploymentId, actionId: request.actionId) {
      try await self.send(.POST, path, route: route, body: request, safety: .creating, as: DeploymentRequest.self)
    }
  }
}
