import VRAModels

extension VRAClient {
  public static let catalogItems = "/catalog/api/items"

  /// `GET /catalog/api/items`, every page.
  public func catalogItems(
    search: String? = nil, projects: [String] = [], pageSize: Int = 100
  )
    -> PagedSequence<CatalogItem>
  {
    let filter = Query.optional("search", search) + Query.list("projects", projects)
    return PagedSequence(pageSize: pageSize) { skip, top in
      try await self.get(
        Self.catalogItems, query: filter + Query.paging(skip: skip, top: top), as: Page<CatalogItem>.self)
    }
  }

  /// `GET /catalog/api/items/{id}`.
  public func catalogItem(id: String) async throws -> CatalogItem {
    try await get("\(Self.catalogItems)/\(Query.segment(id))", route: "\(Self.catalogItems)/{id}")
  }

  /// `POST /catalog/api/items/{id}/request`: one deployment of a catalog item.
  ///
  /// After an ambiguous failure the deployment is looked up by name before requesting again;
  /// a request without a `deploymentName` is sent with a generated, unique one so that it can be.
  public func requestCatalogItem(
    id: String, _ request: CatalogItemRequest
  ) async throws
    -> [CatalogItemRequestResponse]
  {
    var request = request
    request.deploymentName = deploymentName(for: request.deploymentName, what: "catalog item request")
    return try await createOnce(
      what: "catalog item request",
      create: { [request] in
        try await self.send(
          .POST, "\(Self.catalogItems)/\(Query.segment(id))/request", route: "\(Self.catalogItems)/{id}/request",
          body: request, safety: .creating, as: [CatalogItemRequestResponse].self)
      },
      lookup: { [request] in
        guard let name = request.deploymentName else { return nil }
        guard let deployment = try await self.deployment(named: name, projectId: request.projectId) else {
          return nil
        }
        return [CatalogItemRequestResponse(deploymentId: deployment.id, deploymentName: deployment.name)]
      })
  }
}
