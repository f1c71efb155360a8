import Foundation
import HTTPTypes
import Hummingbird

/// Gives every answer, errors included, an `x-request-id` header with a fresh id, as the
/// ingress in front of vRA's services does: the id support asks for when a call failed.
/// (The specs in `shared/vra-api/` document no response headers; the name is vRA's.)
struct RequestIdMiddleware: RouterMiddleware {
  typealias Context = SimulatorContext
  static let header = HTTPField.Name("x-request-id")!

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    let id = UUID().uuidString.lowercased()
    do {
      var response = try await next(request, context)
      response.headers[Self.header] = id
      return response
    } catch let error as any HTTPResponseError {
      var response = try error.response(from: request, context: context)
      response.headers[Self.header] = id
      return response
    }
  }
}
