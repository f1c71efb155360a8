import VRAModels

extension VRAClient {
  static let deploymentsPath = "/deployment/api/deployments"

  /// `GET /deployment/api/deployments` with typed filters, every page as one sequence.
  public func deployments(
    _ filter: DeploymentFilter = DeploymentFilter(), pageSize: Int = 100
  )
    -> PagedSequence<Deployment>
  {
    PagedSequence(pageSize: pageSize) { skip, top in
      try await self.deploymentsPage(filter, skip: skip, top: top)
    }
  }

  /// One page of `GET /deployment/api/deployments` (the batched tracker polls one page at a time).
  public func deploymentsPage(
    _ filter: DeploymentFilter = DeploymentFilter(), skip: Int = 0, top: Int = 100
  )
    async throws -> Page<Deployment>
  {
    try await get(Self.deploymentsPath, query: filter.query + Query.paging(skip: skip, top: top))
  }

  /// The deployment named exactly `name` in the project (vRA's `name` filter also matches longer
  /// names), or nil: how a create whose answer was lost, or a stage cut short, is found again.
  public func deployment(
    named name: String, projectId: String?, expand: [DeploymentExpansion] = []
  ) async throws -> Deployment? {
    let filter = DeploymentFilter(projects: projectId.map { [$0] } ?? [], name: name, expand: expand)
    return try await deployments(filter, pageSize: 10).collect().first { $0.name == name }
  }

  /// `GET /deployment/api/deployments/{id}?expand=...`.
  public func deployment(id: String, expand: [DeploymentExpansion] = []) async throws -> Deployment {
    try await get(
      "\(Self.deploymentsPath)/\(Query.segment(id))", route: "\(Self.deploymentsPath)/{id}",
      query: Query.list("expand", expand.map(\.rawValue)))
  }

  /// `DELETE /deployment/api/deployments/{id}`: starts the delete request and returns it.
  public func deleteDeployment(id: String) async throws -> DeploymentRequest {
    try await send(
      .DELETE, "\(Self.deploymentsPath)/\(Query.segment(id))", route: "\(Self.deploymentsPath)/{id}",
      body: NoBody?.none, safety: .idempotent)
  }

  /// `GET /deployment/api/deployments/{id}/requests`, newest first, every page.
  public func deploymentRequests(
    deploymentId: String, inProgressOnly: Bool = false, pageSize: Int = 100
  )
    -> PagedSequence<DeploymentRequest>
  {
    PagedSequence(pageSize: pageSize) { skip, top in
      try await self.get(
        "\(Self.deploymentsPath)/\(Query.segment(deploymentId))/requests",
        route: "\(Self.deploymentsPath)/{id}/requests",
        query: (inProgressOnly ? [("inprogressRequests", "true")] : []) + Query.paging(skip: skip, top: top),
        as: Page<DeploymentRequest>.self)
    }
  }

  /// `GET /deployment/api/deployments/{id}/resources`, every page.
  public func deploymentResources(deploymentId: String, pageSize: Int = 100) -> PagedSequence<DeploymentResource> {
    PagedSequence(pageSize: pageSize) { skip, top in
      try await self.get(
        "\(Self.deploymentsPath)/\(Query.segment(deploymentId))/resources",
        route: "\(Self.deploymentsPath)/{id}/resources", query: Query.paging(skip: skip, top: top),
        as: Page<DeploymentResource>.self)
    }
  }
}
