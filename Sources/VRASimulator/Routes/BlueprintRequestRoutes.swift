import Hummingbird
import VRAModels

/// Deploying a blueprint: `POST /blueprint/api/blueprint-requests` and its follow-ups.
enum BlueprintRequestRoutes {
  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    let state = services.state
    let base = "/blueprint/api/blueprint-requests"

    router.post(RouterPath(base)) { request, context -> Response in
      let caller = try context.caller()
      let body = try await request.decodeJSON(BlueprintRequest.self)
      let order = SimulatorState.CreateOrder(
        projectId: body.projectId, deploymentName: body.deploymentName, description: body.description,
        reason: body.reason, blueprintId: body.blueprintId, blueprintVersion: body.blueprintVersion,
        content: body.content, inputs: body.inputs ?? [:], plan: body.plan ?? false,
        simulate: body.simulate ?? false, deploymentId: body.deploymentId.flatMap { $0.isEmpty ? nil : $0 },
        failResources: context.failResources)
      let record = try await state.createBlueprintRequest(order, org: caller.orgId, user: caller.user)
      if order.deploymentId == nil, record.deploymentId != nil { await services.stats.deploymentCreated() }
      return try JSONResponse.make(await state.render(record), status: .accepted)
    }
    router.get(RouterPath(base)) { request, context -> Response in
      let org = try context.caller().orgId
      let paging = try Paging(request)
      var rendered: [BlueprintRequest] = []
      let deploymentId = request.query.get("deploymentId")
      for record in await state.listBlueprintRequests(org: org, deploymentId: deploymentId) {
        rendered.append(await state.render(record))
      }
      return try JSONResponse.make(paging.page(rendered))
    }
    router.get("\(base)/{requestId}") { _, context -> Response in
      let record = try await state.blueprintRequest(
        try context.pathParameter("requestId"), org: try context.caller().orgId)
      return try JSONResponse.make(await state.render(record))
    }
    // The plan of a request: for a what-if (`plan: true`) once it is FINISHED; 404 before.
    router.get("\(base)/{requestId}/plan") { request, context -> Response in
      let record = try await state.plannedRequest(
        try context.pathParameter("requestId"), org: try context.caller().orgId)
      return try JSONResponse.make(await state.renderPlan(record, expand: request.query.bool("expand") ?? false))
    }
    router.get("\(base)/{requestId}/resources-plan") { _, context -> Response in
      let record = try await state.plannedRequest(
        try context.pathParameter("requestId"), org: try context.caller().orgId)
      return try JSONResponse.make(await state.renderResourcesPlan(record))
    }
    router.delete("\(base)/{requestId}") { request, context -> Response in
      try await state.deleteBlueprintRequest(
        try context.pathParameter("requestId"), org: try context.caller().orgId,
        force: request.query.bool("force") ?? false)
      return JSONResponse.empty(.noContent)
    }
    router.post("\(base)/{requestId}/actions/cancel") { _, context -> Response in
      let caller = try context.caller()
      try await state.cancelBlueprintRequest(
        try context.pathParameter("requestId"), org: caller.orgId, user: caller.user)
      return JSONResponse.empty(.ok)
    }
  }
}
