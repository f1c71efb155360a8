import EngineRuntime
import Hummingbird
import RunState

/// What operators and load balancers call, without authentication: liveness, readiness (the store
/// answers) and Prometheus metrics.
struct OperationalRoutes: Sendable {
  let store: SQLStateStore

  func register(on router: Router<ServerRequestContext>) {
    router.get("healthz") { _, _ in "ok\n" }
    router.get("readyz") { _, _ -> Response in
      do {
        _ = try await store.runs(limit: 1)
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
      } catch {
        throw Problem(.unavailable, detail: "the state store cannot be read")
      }
    }
    router.get("metrics") { _, _ -> Response in
      Response(
        status: .ok, headers: [.contentType: PrometheusMetrics.contentType],
        body: .init(byteBuffer: ByteBuffer(bytes: PrometheusMetrics.exposition())))
    }
  }
}
