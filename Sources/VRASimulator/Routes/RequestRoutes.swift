import Hummingbird
import VRAModels

/// `GET /deployment/api/requests/{id}` (progress through `completedTasks`/`totalTasks`) and its events.
enum RequestRoutes {
  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    let state = services.state
    router.get("/deployment/api/requests/{requestId}") { _, context -> Response in
      let record = try await state.request(try context.pathParameter("requestId"), org: try context.caller().orgId)
      return try JSONResponse.make(await state.render(record))
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
