import CoreMetrics
import Metrics

/// The client's swift-metrics instruments; any backend (Prometheus, OTel) can be plugged
/// in through `MetricsSystem.bootstrap` or `VRAClientConfiguration.metricsFactory`.
///
/// Dimensions are bounded: route templates (never ids), status codes, error classes.
struct ClientMetrics: Sendable {
  /// One per logical call (retries included): method, route, status_class, error_class.
  static let calls = "vra_http_requests_total"
  /// Duration of a logical call, retries and waits included: method, route, status_class.
  static let callDuration = "vra_http_request_duration_seconds"
  /// One per HTTP attempt: method, route, status (0 when no answer came).
  static let attempts = "vra_http_attempts_total"
  static let retries = "vra_http_retries_total"
  static let tokenRefreshes = "vra_token_refreshes_total"

  let factory: any MetricsFactory

  init(factory: (any MetricsFactory)?) {
    self.factory = factory ?? MetricsSystem.factory
  }

  func recordCall(method: String, route: String, status: Int, errorClass: String?, duration: Duration) {
    let statusClass = Self.statusClass(status)
    let dimensions = [
      ("method", method), ("route", route), ("status_class", statusClass), ("error_class", errorClass ?? "none"),
    ]
    Counter(label: Self.calls, dimensions: dimensions, factory: factory).increment()
    CoreMetrics.Timer(
      label: Self.callDuration, dimensions: [("method", method), ("route", route), ("status_class", statusClass)],
      factory: factory
    ).record(duration: duration)
  }

  /// `2xx`, `4xx`, `5xx`, ... or `none` when no answer came (a transport error, a cancel).
  static func statusClass(_ status: Int) -> String {
    (100..<600).contains(status) ? "\(status / 100)xx" : "none"
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
