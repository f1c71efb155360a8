import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Hands every answer to a `ResponseObserver`; outermost, so it sees what the client gets, error
/// bodies included. Only installed when an observer is given: the body is buffered to be seen.
struct ObserverMiddleware: RouterMiddleware {
  typealias Context = SimulatorContext
  let observer: ResponseObserver

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    var response: Response
    do {
      response = try await next(request, context)
    } catch let error as any HTTPResponseError {
      // Rendered here (as Hummingbird would) so the observer sees the error body.
      response = try error.response(from: request, context: context)
    } catch {
      await observe(request, status: 500, body: Data())
      throw error
    }
    let collected = CollectedBody()
    try await response.body.write(BodyCollector(target: collected))
    await observe(request, status: Int(response.status.code), body: Data(buffer: collected.buffer))
    response.body = ResponseBody(byteBuffer: collected.buffer)
    return response
  }

  private func observe(_ request: Request, status: Int, body: Data) async {
    await observer(
      ObservedResponse(
        method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", status: status,
        body: body))
  }
}

/// The bytes a `BodyCollector` gathered; used by one task only, never shared.
private final class CollectedBody {
  var buffer = ByteBuffer()
}

/// A `ResponseBodyWriter` that keeps what is written instead of sending it.
private struct BodyCollector: ResponseBodyWriter {
  let target: CollectedBody

  mutating func write(_ buffer: ByteBuffer) async throws {
    var buffer = buffer
    target.buffer.writeBuffer(&buffer)
  }

  consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
