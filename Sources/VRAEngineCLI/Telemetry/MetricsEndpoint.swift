import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// swift-metrics exported in the Prometheus text format at `/metrics`: every instrument of the
/// client (`vra_http_*`, `vra_token_refreshes_total`), the tracker (`engine_tracker_*`,
/// `engine_deployments_in_flight`) and the orchestrator (`engine_stage_*`). Labels are route
/// templates and results, never ids.
final class MetricsEndpoint: Sendable {
  let port: Int
  private let group: ServiceGroup
  private let task: Task<Void, any Error>

  private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
    self.port = port
    self.group = group
    self.task = task
  }

  /// Bootstraps swift-metrics with a Prometheus registry (once per process: call it before any
  /// client or tracker is made) and starts serving it.
  static func start(host: String, port: Int) async throws -> MetricsEndpoint {
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
    let task = Task {
      defer { continuation.finish() }
      try await group.run()
    }
    var iterator = ports.makeAsyncIterator()
    guard let bound = await iterator.next() else {
      try await task.value
      throw CancellationError()
    }
    Terminal.err("metrics: http://\(host):\(bound)/metrics")
    return MetricsEndpoint(port: bound, group: group, task: task)
  }

  func stop() async {
    await group.triggerGracefulShutdown()
    _ = try? await task.value
  }
}
