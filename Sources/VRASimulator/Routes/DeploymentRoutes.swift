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
      query.projects = Set(request.queryList("projects"))
      query.statuses = Set(request.queryList("status"))
      query.lastRequestStatuses = Set(request.queryList("lastRequestStatus"))
      query.name = request.uri.queryParameters.get("name")
      query.search = request.uri.queryParameters.get("search")
      query.includeDeleted = request.queryBool("deleted") ?? false
      if let range = request.uri.queryParameters.get("lastUpdatedAt") {
        (query.updatedFrom, query.updatedTo) = try DeploymentQuery.parseRange(range)
      }
      query.orderBy = try DeploymentQuery.parseOrder(request.queryList("$orderby"))
      let expand = SimulatorState.Expansion(request.queryList("expand"))
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
        try context.parameters.require("deploymentId"), org: try context.caller().orgId,
        includeDeleted: request.queryBool("deleted") ?? false)
      let expand = SimulatorState.Expansion(request.queryList("expand"))
      return try JSONResponse.make(await state.render(deployment, expand: expand))
    }
    router.delete("\(base)/{deploymentId}") { _, context -> Response in
      let caller = try context.caller()
      let request = try await state.deleteDeployment(
        try context.parameters.require("deploymentId"), org: caller.orgId, user: caller.user)
      return try JSONResponse.make(await state.render(request))
    }
    router.get("\(base)/{deploymentId}/requests") { request, context -> Response in
      let org = try context.caller().orgId
      let deployment = try await state.deployment(try context.parameters.require("deploymentId"), org: org)
      let paging = try Paging(request)
      let inProgressOnly = request.queryBool("inprogressRequests") ?? false
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
        try context.parameters.require("deploymentId"), org: try context.caller().orgId)
      let paging = try Paging(request)
      let names = Set(request.queryList("names"))
      let types = Set(request.queryList("resourceTypes"))
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
