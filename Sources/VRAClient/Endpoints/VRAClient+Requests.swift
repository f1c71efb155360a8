import VRAModels

extension VRAClient {
  /// `GET /deployment/api/requests/{id}`: status and `completedTasks`/`totalTasks`.
  public func request(id: String) async throws -> DeploymentRequest {
    try await get("/deployment/api/requests/\(Query.segment(id))", route: "/deployment/api/requests/{id}")
  }

  /// `GET /deployment/api/requests/{id}/events`, every page.
  public func requestEvents(requestId: String, pageSize: Int = 100) -> PagedSequence<Event> {
    PagedSequence(pageSize: pageSize) { skip, top in
      try await self.get(
        "/deployment/api/requests/\(Query.segment(requestId))/events", route: "/deployment/api/requests/{id}/events",
        query: Query.paging(skip: skip, top: top), as: Page<Event>.self)
    }
  }
}
