import Hummingbird
import VRAModels

/// Deployments: the filtered list the batched tracker relies on, get with `expand`, rename,
/// delete, the name check, the list's filter facets, each deployment's requests (its history, and
/// day-2 actions submitted), actions, resources (and their actions) and user events.
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
    // Deprecated in the spec but still called: 200 (no body) when a live deployment has the name, else 404.
    router.get("\(base)/names/{name}") { _, context -> Response in
      try await nameCheck(try context.pathParameter("name"), context: context, state: state)
    }
    router.get("\(base)/names") { request, context -> Response in
      guard let name = request.query.get("name") else {
        throw APIError.badRequest("query parameter 'name' is required")
      }
      return try await nameCheck(name, context: context, state: state)
    }
    router.get("\(base)/filters") { _, context -> Response in
      _ = try context.caller()
      return try JSONResponse.make(FilterSchema(filters: SimulatorState.deploymentFilters))
    }
    router.get("\(base)/filters/{filterId}") { request, context -> Response in
      let org = try context.caller().orgId
      let filterId = try context.pathParameter("filterId")
      guard var entries = await state.deploymentFilterEntries(filterId, org: org) else {
        throw APIError.notFound("Filter", filterId)
      }
      if let search = request.query.get("search")?.lowercased(), !search.isEmpty {
        entries = entries.filter { ($0.name ?? "").lowercased().contains(search) }
      }
      return try JSONResponse.make(try Paging(request).page(entries))
    }
    router.get("\(base)/{deploymentId}") { request, context -> Response in
      let deployment = try await state.deployment(
        try context.pathParameter("deploymentId"), org: try context.caller().orgId,
        includeDeleted: request.query.bool("deleted") ?? false)
      let expand = SimulatorState.Expansion(request.query.list("expand"))
      return try JSONResponse.make(await state.render(deployment, expand: expand))
    }
    router.patch("\(base)/{deploymentId}") { request, context -> Response in
      let caller = try context.caller()
      let update = try await request.decodeJSON(DeploymentUpdate.self)
      let deployment = try await state.updateDeployment(
        try context.pathParameter("deploymentId"), with: update, org: caller.orgId, user: caller.user)
      return try JSONResponse.make(await state.render(deployment, expand: []))
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
    router.post("\(base)/{deploymentId}/requests") { request, context -> Response in
      let caller = try context.caller()
      let body = try await request.decodeJSON(ResourceActionRequest.self)
      let record = try await state.submitAction(
        body, deploymentId: try context.pathParameter("deploymentId"), org: caller.orgId, user: caller.user,
        failResources: context.failResources)
      return try JSONResponse.make(await state.render(record))
    }
    router.get("\(base)/{deploymentId}/actions") { _, context -> Response in
      try JSONResponse.make(
        try await state.actions(of: try context.pathParameter("deploymentId"), org: try context.caller().orgId))
    }
    router.get("\(base)/{deploymentId}/actions/{actionId}") { _, context -> Response in
      try JSONResponse.make(
        try await state.action(
          try context.pathParameter("actionId"), of: try context.pathParameter("deploymentId"),
          org: try context.caller().orgId))
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
    router.get("\(base)/{deploymentId}/resources/{resourceId}/actions") { _, context -> Response in
      try JSONResponse.make(
        try await state.resourceActions(
          of: try context.pathParameter("resourceId"), deploymentId: try context.pathParameter("deploymentId"),
          org: try context.caller().orgId))
    }
    router.get("\(base)/{deploymentId}/resources/{resourceId}/actions/{actionId}") { _, context -> Response in
      try JSONResponse.make(
        try await state.resourceAction(
          try context.pathParameter("actionId"), of: try context.pathParameter("resourceId"),
          deploymentId: try context.pathParameter("deploymentId"), org: try context.caller().orgId))
    }
    router.post("\(base)/{deploymentId}/resources/{resourceId}/requests") { request, context -> Response in
      let caller = try context.caller()
      let body = try await request.decodeJSON(ResourceActionRequest.self)
      let record = try await state.submitResourceAction(
        body, resourceId: try context.pathParameter("resourceId"),
        deploymentId: try context.pathParameter("deploymentId"), org: caller.orgId, user: caller.user)
      return try JSONResponse.make(await state.render(record))
    }
    router.get("\(base)/{deploymentId}/userEvents") { request, context -> Response in
      let events = try await state.userEvents(
        of: try context.pathParameter("deploymentId"), org: try context.caller().orgId)
      return try JSONResponse.make(try Paging(request).page(events))
    }
    router.get("\(base)/{deploymentId}/resources/{resourceId}") { _, context -> Response in
      let resource = try await state.resource(
        try context.pathParameter("resourceId"), of: try context.pathParameter("deploymentId"),
        org: try context.caller().orgId)
      return try JSONResponse.make(await state.render(resource))
    }
  }

  private static func nameCheck(
    _ name: String, context: SimulatorContext, state: SimulatorState
  ) async throws
    -> Response
  {
    guard await state.deploymentNameExists(name, org: try context.caller().orgId) else {
      throw APIError(
        .notFound, "Deployment with name '\(name)' not found", errorCode: 10404, messageId: "error.not.found")
    }
    return JSONResponse.empty(.ok)
  }
}
