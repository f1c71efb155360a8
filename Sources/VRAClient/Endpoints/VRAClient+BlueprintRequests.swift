import VRAModels

extension VRAClient {
  public static let blueprintRequests = "/blueprint/api/blueprint-requests"

  /// `POST /blueprint/api/blueprint-requests`: deploys a blueprint (by id and version, or
  /// inline `content`).
  ///
  /// Never creates two deployments: after an ambiguous failure the deployment is looked up
  /// by `deploymentName` (and project), and its blueprint request returned if it exists.
  /// A request for a new deployment without a `deploymentName` is sent with a generated,
  /// unique one (`generatedDeploymentNamePrefix` + 12 hex digits), so that lookup always works.
  public func createBlueprintRequest(_ request: BlueprintRequest) async throws -> BlueprintRequest {
    var request = request
    if request.deploymentId == nil {
      request.deploymentName = deploymentName(for: request.deploymentName, what: "blueprint request")
    }
    return try await createOnce(
      what: "blueprint request",
      create: { [request] in
        try await self.send(
          .POST, Self.blueprintRequests, body: request, safety: .creating, as: BlueprintRequest.self)
      },
      lookup: { [request] in
        guard let name = request.deploymentName else { return nil }
        guard let deploymentId = try await self.deployment(named: name, projectId: request.projectId)?.id else {
          return nil
        }
        return try await self.blueprintRequests(deploymentId: deploymentId, pageSize: 10).collect().first
      })
  }

  /// `GET /blueprint/api/blueprint-requests/{id}`.
  public func blueprintRequest(id: String) async throws -> BlueprintRequest {
    try await get("\(Self.blueprintRequests)/\(Query.segment(id))", route: "\(Self.blueprintRequests)/{id}")
  }

  /// `GET /blueprint/api/blueprint-requests`, optionally for one deployment, every page.
  public func blueprintRequests(deploymentId: String? = nil, pageSize: Int = 100) -> PagedSequence<BlueprintRequest> {
    PagedSequence(pageSize: pageSize) { skip, top in
      try await self.get(
        Self.blueprintRequests,
        query: Query.optional("deploymentId", deploymentId) + Query.paging(skip: skip, top: top),
        as: Page<BlueprintRequest>.self)
    }
  }

  /// `POST /blueprint/api/blueprint-requests/{id}/actions/cancel`.
  public func cancelBlueprintRequest(id: String) async throws {
    try await sendIgnoringAnswer(
      .POST, "\(Self.blueprintRequests)/\(Query.segment(id))/actions/cancel",
      route: "\(Self.blueprintRequests)/{id}/actions/cancel", body: NoBody?.none, safety: .idempotent)
  }

  /// `DELETE /blueprint/api/blueprint-requests/{id}` (a finished request's record, not its deployment).
  public func deleteBlueprintRequest(id: String, force: Bool = false) async throws {
    try await sendIgnoringAnswer(
      .DELETE, "\(Self.blueprintRequests)/\(Query.segment(id))", route: "\(Self.blueprintRequests)/{id}",
      query: force ? [("force", "true")] : [], body: NoBody?.none, safety: .idempotent)
  }
}
