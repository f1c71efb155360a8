import Foundation
import VRAModels

extension VRAClient {
  /// `GET /deployment/api/deployments/{id}/actions/{actionId}`: one action of a deployment, with its
  /// input `schema` and whether it is `valid` now.
  public func deploymentAction(deploymentId: String, actionId: String) async throws -> DeploymentAction {
    try await get(
      "\(Self.deploymentsPath)/\(Query.segment(deploymentId))/actions/\(Query.segment(actionId))",
      route: "\(Self.deploymentsPath)/{id}/actions/{actionId}")
  }

  /// `GET /deployment/api/deployments/{id}/resources/{resourceId}/actions`: the day-2 actions of one
  /// resource (a machine's `PowerOff`, `Resize`, ...).
  public func resourceActions(deploymentId: String, resourceId: String) async throws -> [DeploymentAction] {
    try await get(
      "\(Self.deploymentsPath)/\(Query.segment(deploymentId))/resources/\(Query.segment(resourceId))/actions",
      route: "\(Self.deploymentsPath)/{id}/resources/{resourceId}/actions")
  }

  /// `GET /deployment/api/deployments/{id}/resources/{resourceId}/actions/{actionId}`.
  public func resourceAction(
    deploymentId: String, resourceId: String, actionId: String
  ) async throws
    -> DeploymentAction
  {
    try await get(
      "\(Self.deploymentsPath)/\(Query.segment(deploymentId))/resources/\(Query.segment(resourceId))/actions/"
        + Query.segment(actionId),
      route: "\(Self.deploymentsPath)/{id}/resources/{resourceId}/actions/{actionId}")
  }

  /// `POST /deployment/api/deployments/{id}/resources/{resourceId}/requests`: runs a resource's action
  /// and returns its request. Never sent twice, as `submitDeploymentAction`: after an ambiguous
  /// failure the deployment's requests newer than the one before the POST are searched for it.
  public func submitResourceAction(
    deploymentId: String, resourceId: String, _ request: ResourceActionRequest
  ) async throws -> DeploymentRequest {
    let path =
      "\(Self.deploymentsPath)/\(Query.segment(deploymentId))/resources/\(Query.segment(resourceId))/requests"
    let route = "\(Self.deploymentsPath)/{id}/resources/{resourceId}/requests"
    return try await submitActionOnce(deploymentId: deploymentId, actionId: request.actionId) {
      try await self.send(.POST, path, route: route, body: request, safety: .creating, as: DeploymentRequest.self)
    }
  }

  /// `POST /deployment/api/requests/{id}?action=cancel`: cancels a deployment request (a day-2
  /// action's, an update's) while vRA still lets it be cancelled.
  public func cancelDeploymentRequest(id: String) async throws {
    try await sendIgnoringAnswer(
      .POST, "/deployment/api/requests/\(Query.segment(id))", route: "/deployment/api/requests/{id}",
      query: [("action", "cancel")], body: NoBody?.none, safety: .idempotent)
  }

  /// Sends an action's POST at most once: the deployment's newest request is read first; after an
  /// ambiguous failure, a request with this `actionId` newer than that one is the answer.
  func submitActionOnce(
    deploymentId: String, actionId: String?, create: @escaping @Sendable () async throws -> DeploymentRequest
  ) async throws -> DeploymentRequest {
    var newest = deploymentRequests(deploymentId: deploymentId, pageSize: 1).makeAsyncIterator()
    let before = try await newest.next()
    return try await createOnce(
      what: "deployment action request", create: create,
      lookup: {
        try await self.sentActionRequest(deploymentId: deploymentId, actionId: actionId, after: before?.id)
      })
  }

  /// The newest request of the deployment for `actionId` sent after the request `baseline` (its
  /// newest request before the action was sent; nil: none had any), or nil when there is none.
  public func sentActionRequest(
    deploymentId: String, actionId: String?, after baseline: String?
  ) async throws -> DeploymentRequest? {
    // Newest first: everything before the baseline is older.
    var found: DeploymentRequest?
    for try await candidate in deploymentRequests(deploymentId: deploymentId, pageSize: 50) {
      if let baseline, candidate.id == baseline { break }
      if candidate.actionId == actionId, candidate.id != nil, found == nil { found = candidate }
    }
    return found
  }
}
