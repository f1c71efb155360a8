import Hummingbird
import VRAModels

/// Projects through both APIs that expose them: IaaS (`ProjectResult`, `_links`)
/// and Project Service (`PageOfProjects`).
enum ProjectRoutes {
  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    let state = services.state
    // IaaS: `$filter`, `$orderby` (also spelled `$orderBy`), `$select`, `$count`, `$top`, `$skip`.
    router.get("/iaas/api/projects") { request, context -> Response in
      let org = try context.caller().orgId
      let paging = try Paging(request)
      let list = try ListQuery(request.query, filtering: true, alwaysSelected: ["id", "_links"])
      var all: [JSONValue] = []
      for project in await state.listProjects(org: org) {
        all.append(try JSONValue(rendering: await state.render(project, api: .iaas)))
      }
      let matching = list.apply(to: all)
      let slice = matching.dropFirst(paging.skip).prefix(paging.top).map(list.project)
      return try JSONResponse.make(
        JSONValue.object([
          "content": .array(Array(slice)), "numberOfElements": .int(slice.count),
          "totalElements": .int(matching.count),
        ]))
    }
    // Project Service: `$orderby`, `$select`, and Spring's `page`/`size` as well as `$top`/`$skip`.
    router.get("/project-service/api/projects") { request, context -> Response in
      let org = try context.caller().orgId
      let paging = try Paging(request)
      let list = try ListQuery(request.query, filtering: false)
      var all: [JSONValue] = []
      for project in await state.listProjects(org: org) {
        all.append(try JSONValue(rendering: await state.render(project, api: .projectService)))
      }
      return try JSONResponse.make(paging.page(list.apply(to: all).map(list.project)))
    }
    for (prefix, api) in [
      ("/iaas/api/projects", SimulatorState.ProjectAPI.iaas), ("/project-service/api/projects", .projectService),
    ] {
      router.get("\(prefix)/{id}") { _, context -> Response in
        let org = try context.caller().orgId
        let id = try context.pathParameter("id")
        guard let project = await state.project(id, org: org), project.id == id else {
          throw APIError.notFound("Project", id)
        }
        return try JSONResponse.make(await state.render(project, api: api))
      }
      router.post(RouterPath(prefix)) { request, context -> Response in
        let org = try context.caller().orgId
        let spec = try await request.decodeJSON(ProjectSpecification.self)
        let project = try await state.createProject(spec, org: org)
        return try JSONResponse.make(await state.render(project, api: api), status: .created)
      }
      router.delete("\(prefix)/{id}") { _, context -> Response in
        let org = try context.caller().orgId
        try await state.deleteProject(try context.pathParameter("id"), org: org)
        return JSONResponse.empty(.noContent)
      }
    }
  }
}
