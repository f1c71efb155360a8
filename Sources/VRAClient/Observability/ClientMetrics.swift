import CoreMetrics
import Metrics

/// The client's swift-metrics instruments; any backend (Prometheus, OTel) can be plugged
/// in through `MetricsSystem.bootstrap` or `VRAClientConfiguration.metricsFactory`.
///
/// Dimensions are bounded: route templates (never ids), status codes, error classes.
struct ClientMetrics: Sendable {
  static let calls = "vra_client_calls_total"
  static let callDuration = "vra_client_call_duration_seconds"
  static let attempts = "vra_client_attempts_total"
  static let retries = "vra_client_retries_total"
  static let tokenRefreshes = "vra_client_token_refreshes_total"

  let factory: any MetricsFactory

  init(factory: (any MetricsFactory)?) {
    self.factory = factory ?? MetricsSystem.factory
  }

  func recordCall(method: String, route: String, status: Int, errorClass: String?, duration: Duration) {
    let dimensions = [
      ("method", method), ("route", route), ("status", String(status)), ("error_class", errorClass ?? "none"),
    ]
    Counter(label: Self.calls, dimensions: dimensions, factory: factory).increment()
    CoreMetrics.Timer(label: Self.callDuration, dimensions: [("method", method), ("route", route)], factory: factory)
      .record(duration: duration)
  }

  func recordAttempt(method: String, route: String, status: Int) {
    Counter(
      label: Self.attempts, dimensions: [("method", method), ("route", route), ("status", String(status))],
      factory: factory
    ).increment()
  }

  func recordRetry(method: String, route: String, reason: String) {
    Counter(
      label: Self.retries, dimensions: [("method", method), ("route", route), ("reason", reason)], factory: factory
    ).increment()
  }

  func recordTokenRefresh(route: String, outcome: String) {
    Counter(label: Self.tokenRefreshes, dimensions: [("route", route), ("outcome", outcome)], factory: factory)
      .increment()
  }
}
