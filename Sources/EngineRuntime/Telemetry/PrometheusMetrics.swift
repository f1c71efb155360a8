import Metrics
import Prometheus

/// The process's Prometheus registry: swift-metrics is bootstrapped with it once, on first use (by
/// `MetricsEndpoint`, or by `serve`'s `/metrics`), since a process can bootstrap only once.
public enum PrometheusMetrics {
  public static let registry: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    // vRA calls take from milliseconds to minutes (a slow approval); stages minutes to hours.
    factory.defaultDurationHistogramBuckets = [
      .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
      .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900),
      .seconds(3600),
    ]
    MetricsSystem.bootstrap(factory)
    return registry
  }()

  /// The Prometheus text exposition of every metric so far.
  public static func exposition() -> [UInt8] { registry.emitToBuffer() }

  public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
