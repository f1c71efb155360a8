import HTTPTypes
import Hummingbird

/// With `--state`, a request that changes something (any method but GET and HEAD) is answered
/// only once the change is on disk, as a real vRA commits before it answers. A client that
/// records the ids it was given and then dies with the simulator (the embedded one shares its
/// process) finds them again after a restart; the periodic save covers the rest (statuses that
/// advance with time are derived from the saved timeline, so nothing is lost between saves).
struct PersistMiddleware: RouterMiddleware {
  typealias Context = SimulatorContext
  let writer: SnapshotWriter

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    let response = try await next(request, context)
    if request.method != .get, request.method != .head {
      await writer.saveIfChanged()
    }
    return response
  }
}
