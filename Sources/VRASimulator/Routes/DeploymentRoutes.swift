import Hummingbird
import VRAModels

/// Deployments: the filtered list the batched tracker relies on, get with `expand`,
/// delete, and each deployment's requests and resources.
enum DeploymentRoutes {
  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    let state = services.state
    let base = "/deployment/api/deployments"

    router.get(RouterPath(base)) { request, context -> Response in
      let org = try context.caller().orgId
      let paging = try Paging(request)
      var query = DeploymentQuery()
      query.projects = Set(request.query.list("projects"))
      query.statuses = Set(request.query.list("status"))
      query.lastRequestStatuses = Set(request.query.list("lastRequestStatus"))
      query.name = request.query.get("name")
      query.search = request.query.get("search")
      query.includeDeleted = request.query.bool("deleted") ?? false
      if let range = request.query.get("lastUpdatedAt") {
        (query.updatedFrom, query.updatedTo) = try DeploymentQuery.parseRange(range)
      }
      query.orderBy = try DeploymentQuery.parseOrder(request.query.list("$orderby"))
      let expand = SimulatorState.Expansion(request.query.list("expand"))
      let page = paging.page(await state.listDeployments(org: org, query: query), sorted: true)
      var rendered: [Deployment] = []
      for deployment in page.content { rendered.append(await state.render(deployment, expand: expand)) }
      return try JSONResponse.make(
        Page(
          content: rendered, totalElements: page.totalElements, numberOfElements: page.numberOfElements,
          totalPages: page.totalPages, size: page.size, number: page.number, first: page.first, last: page.last,
          empty: page.empty, sort: page.sort))
    }
    router.get("\(base)/{deploymentId}") { request, context -> Response in
      let deployment = try await state.deployment(
        try context.pathParameter("deploymentId"), org: try context.caller().orgId,
        includeDeleted: request.query.bool("deleted") ?? false)
      let expand = SimulatorState.Expansion(request.query.list("expand"))
      return try JSONResponse.make(await state.render(deployment, expand: expand))
    }
    router.delete("\(base)/{deploymentId}") { _, context -> Response in
      let caller = try context.caller()
      let request = try await state.deleteDeployment(
        try context.pathParameter("deploymentId"), org: caller.orgId, user: caller.user)
      return try JSONResponse.make(await state.render(request))
    }
    router.get("\(base)/{deploymentId}/requests") { request, context -> Response in
      let org = try context.caller().orgId
      let deployment = try await state.deployment(try context.pathParameter("deploymentId"), org: org)
      let paging = try Paging(request)
      let inProgressOnly = request.query.bool("inprogressRequests") ?? false
      var rendered: [DeploymentRequest] = []
      for id in deployment.requestIds.reversed() {
        guard let record = try? await state.request(id, org: org) else { continue }
        if inProgressOnly, record.status.isTerminal { continue }
        rendered.append(await state.render(record))
      }
      return try JSONResponse.make(paging.page(rendered))
    }
    router.get("\(base)/{deploymentId}/resources") { request, context -> Response in
      let deployment = try await state.deployment(
        try context.pathParameter("deploymentId"), org: try context.caller().orgId)
      let paging = try Paging(request)
      let names = Set(request.query.list("names"))
      let types = Set(request.query.list("resourceTypes"))
      var rendered: [DeploymentResource] = []
      for resource in deployment.resources {
        if !names.isEmpty, !names.contains(resource.name) { continue }
        if !types.isEmpty, !types.contains(resource.type) { continue }
        rendered.append(await state.render(resource))
      }
      return try JSONResponse.make(paging.page(rendered))
    }
  }
}
