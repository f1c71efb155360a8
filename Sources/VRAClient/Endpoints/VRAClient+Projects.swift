import VRAModels

extension VRAClient {
  /// `GET /project-service/api/projects`, every page.
  public func projects(pageSize: Int = 100) -> PagedSequence<Project> {
    PagedSequence(pageSize: pageSize) { skip, top in
      try await self.get(
        "/project-service/api/projects", query: Query.paging(skip: skip, top: top), as: Page<Project>.self)
    }
  }

  /// `GET /project-service/api/projects/{id}`.
  public func project(id: String) async throws -> Project {
    try await get("/project-service/api/projects/\(Query.segment(id))", route: "/project-service/api/projects/{id}")
  }

  /// `GET /iaas/api/projects` (the IaaS view, with `_links`).
  public func iaasProjects() async throws -> ProjectResult {
    try await get("/iaas/api/projects")
  }
}
