import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

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
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    // vRA calls take from milliseconds to minutes (a slow approval); stages minutes to hours.
    factory.defaultDurationHistogramBuckets = [
      .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
      .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900),
      .seconds(3600),
    ]
    MetricsSystem.bootstrap(factory)

    let router = Router()
    router.get("/metrics") { _, _ -> Response in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
    var logger = Logger(label: "vra-engine.metrics")
    logger.logLevel = .warning
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
      router: router, configuration: .init(address: .hostname(host, port: port), serverName: "vra-engine"),
      onServerRunning: { channel in
        continuation.yield(channel.localAddress?.port ?? port)
        continuation.finish()
      }, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { tasks in
      tasks.addTask {
        defer { continuation.finish() }
        try await group.run()
      }
      var iterator = ports.makeAsyncIterator()
      guard let bound = await iterator.next() else {
        // The server ended before it listened: its error says why (the port is taken, ...).
        do {
          try await tasks.next()
        } catch {
          throw RuntimeError.error("cannot serve metrics on \(host):\(port): \(error)", status: .usageOrValidation)
        }
        throw RuntimeError.error("cannot serve metrics on \(host):\(port)", status: .usageOrValidation)
      }
      notice("metrics: http://\(host):\(bound)/metrics")
      do {
        let result = try await body()
        await group.triggerGracefulShutdown()
        try? await tasks.waitForAll()
        return result
      } catch {
        await group.triggerGracefulShutdown()
        try? await tasks.waitForAll()
        throw error
      }
    }
  }
}
