import EngineRuntime
import Hummingbird
import RunState

/// What operators, load balancers and API clients call without authentication: liveness,
/// readiness (the store answers), Prometheus metrics and the OpenAPI document.
struct OperationalRoutes: Sendable {
  let store: SQLStateStore

  func register(on router: Router<ServerRequestContext>) {
    router.get("healthz") { _, _ -> Response in
      Response(
        status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }
    router.get("readyz") { _, _ -> Response in
      do {
        _ = try await store.runs(limit: 1)
        return Response(
          status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
          body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
      } catch {
        throw Problem(.unavailable, detail: "the state store cannot be read")
      }
    }
    router.get("api/v1/openapi.json") { _, _ -> Response in
      Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    }
    router.get("metrics") { _, _ -> Response in
      Response(
        status: .ok, headers: [.contentType: PrometheusMetrics.contentType],
        body: .init(byteBuffer: ByteBuffer(bytes: PrometheusMetrics.exposition())))
    }
  }
}
