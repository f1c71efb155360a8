import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import VRASimulator

/// Serves `/metrics` (Prometheus text format) for as long as a command runs, when a metrics port
/// is configured; the metrics system is bootstrapped with a Prometheus registry first.
public enum MetricsEndpoint {
  /// Runs `body` while `/metrics` is served on `configuration`'s metrics port (none configured:
  /// `body` alone). The bound address is told to `notice` (port 0 picks a free one).
  public static func serving<Result>(
    _ configuration: RunConfiguration, notice: @escaping NoticeSink, _ body: () async throws -> Result
  ) async throws -> Result {
    guard let port = configuration.metricsPort else { return try await body() }
    let host = configuration.metricsHost
    let registry = PrometheusMetrics.registry

    let router = Router()
    router.get("/metrics") { _, _ -> Response in
      Response(
        status: .ok, headers: [.contentType: PrometheusMetrics.contentType],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
    var logger = Logger(label: "vra-engine.metrics")
    logger.logLevel = .warning
    do {
      return try await BackgroundServer.serving(
        router: router, host: host, port: port, serverName: "vra-engine", logger: logger
      ) { bound in
        notice("metrics: http://\(host):\(bound)/metrics")
        return try await body()
      }
    } catch let error as BackgroundServer.NotListening {
      // The server ended before it listened: its error says why (the port is taken, ...).
      throw RuntimeError.error(
        "cannot serve metrics on \(host):\(port)" + (error.cause.map { ": \($0)" } ?? ""), status: .usageOrValidation)
    }
  }
}
