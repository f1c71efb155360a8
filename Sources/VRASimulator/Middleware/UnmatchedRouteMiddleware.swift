import Hummingbird

/// Answers a call no route serves in vRA's `ServiceErrorResponse` shape, never with an empty body:
/// 501 when the specs document the operation (the simulator just does not simulate it, so a client
/// knows not to trust the answer), 404 for any other path, as vRA's gateway does.
struct UnmatchedRouteMiddleware: RouterMiddleware {
  typealias Context = SimulatorContext

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    do {
      return try await next(request, context)
    } catch let error as HTTPError where error.status == .notFound {
      // Hummingbird's router throws a bare HTTPError(.notFound) when no route matches; routes
      // themselves answer 404s with APIError.
      let method = request.method.rawValue
      let path = request.uri.path
      if SpecOperations.documents(method: method, path: path) {
        throw APIError(
          .notImplemented, "\(method) \(path) is in the vRA API but not simulated by vra-engine's simulator",
          errorCode: 10501, messageId: "simulator.not.simulated")
      }
      throw APIError(.notFound, "No API at \(method) \(path)", errorCode: 10404, messageId: "error.not.found")
    }
  }
}
