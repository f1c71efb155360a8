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

  /// `POST /iaas/api/projects`: creates a project (vRA answers 201 with the IaaS view).
  ///
  /// Names are unique in an org, so after an ambiguous failure the project is looked up by
  /// name and returned if the first attempt made it; a `conflict` then means it did.
  public func createProject(_ specification: ProjectSpecification) async throws -> Project {
    try await createOnce(
      what: "project",
      create: {
        try await self.send(.POST, "/iaas/api/projects", body: specification, safety: .creating, as: Project.self)
      },
      lookup: {
        try await self.projects().collect().first { $0.name == specification.name }
      })
  }
}
