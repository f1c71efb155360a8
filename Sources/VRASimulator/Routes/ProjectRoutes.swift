import Hummingbird
import VRAModels

/// Projects through both APIs that expose them: IaaS (`ProjectResult`, `_links`)
/// and Project Service (`PageOfProjects`).
enum ProjectRoutes {
  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    let state = services.state
    router.get("/iaas/api/projects") { request, context -> Response in
      let org = try context.caller().orgId
      let paging = try Paging(request)
      let all = await state.listProjects(org: org)
      let slice = Array(all.dropFirst(paging.skip).prefix(paging.top))
      var result = ProjectResult(content: [])
      for project in slice { result.content.append(await state.render(project, api: .iaas)) }
      result.numberOfElements = result.content.count
      result.totalElements = all.count
      return try JSONResponse.make(result)
    }
    router.get("/project-service/api/projects") { request, context -> Response in
      let org = try context.caller().orgId
      let paging = try Paging(request)
      var rendered: [Project] = []
      for project in await state.listProjects(org: org) {
        rendered.append(await state.render(project, api: .projectService))
      }
      return try JSONResponse.make(paging.page(rendered))
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
