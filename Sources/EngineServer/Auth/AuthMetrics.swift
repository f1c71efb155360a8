import Metrics

/// The auth middleware's swift-metrics instruments; the process's backend unless a factory is passed.
struct AuthMetrics: Sendable {
  /// One per refused request, labelled by `AuthFailure.reason` (a closed set, so bounded).
  static let failures = "vra_engine_serve_auth_failures_total"

  let factory: any MetricsFactory

  init(factory: (any MetricsFactory)?) {
    self.factory = factory ?? MetricsSystem.factory
  }

  func recordFailure(_ failure: AuthFailure) {
    Counter(label: Self.failures, dimensions: [("reason", failure.reason)], factory: factory).increment()
  }
}
