import HTTPTypes
import Hummingbird
import NIOCore

/// The health URLs of machines (`healthUrl`): what a smoke check after a deployment reaches. Plain
/// text and no token, as an application's own health endpoint; fault rules apply to them.
enum AppHealthRoutes {
  static let path: RouterPath = "/_sim/apps/{deploymentId}/{resourceName}"

  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    router.get(path) { _, context in try await answer(context, services: services) }
    // Hummingbird does not derive HEAD from GET unless asked to; NIO drops the body of a HEAD answer.
    router.head(path) { _, context in try await answer(context, services: services) }
  }

  private static func answer(_ context: SimulatorContext, services: SimulatorServices) async throws -> Response {
    let health = await services.state.appHealth(
      deploymentId: try context.pathParameter("deploymentId"), resourceName: try context.pathParameter("resourceName"))
    var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
    if let seconds = health.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
    return Response(
      status: HTTPResponse.Status(code: health.status), headers: headers,
      body: ResponseBody(byteBuffer: ByteBuffer(string: health.body)))
  }
}
