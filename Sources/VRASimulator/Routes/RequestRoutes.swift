import Hummingbird
import VRAModels

/// `GET /deployment/api/requests/{id}` (progress through `completedTasks`/`totalTasks`), cancel and
/// dismiss, and its events.
enum RequestRoutes {
  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    let state = services.state
    router.get("/deployment/api/requests/{requestId}") { _, context -> Response in
      let record = try await state.request(try context.pathParameter("requestId"), org: try context.caller().orgId)
      return try JSONResponse.make(await state.render(record))
    }
    // `?action=cancel` (a request in progress ends ABORTED) or `?action=dismiss` (a FAILED one);
    // 200 without a body, as the spec documents.
    router.post("/deployment/api/requests/{requestId}") { request, context -> Response in
      let caller = try context.caller()
      try await state.act(
        on: try context.pathParameter("requestId"), action: request.query.get("action"), org: caller.orgId,
        user: caller.user)
      return JSONResponse.empty(.ok)
    }
    router.get("/deployment/api/requests/{requestId}/events") { request, context -> Response in
      let record = try await state.request(try context.pathParameter("requestId"), org: try context.caller().orgId)
      let paging = try Paging(request)
      var events: [Event] = []
      for event in record.events { events.append(await state.render(event)) }
      return try JSONResponse.make(paging.page(events))
    }
  }
}
