import CoreMetrics
import Metrics

/// The orchestrator's swift-metrics instruments: how long stages take and how they end. The only
/// label is the result (succeeded, failed, cancelled, skipped, submitted); stage and plan names
/// stay out of labels, so a long-running `serve` keeps a bounded set of series.
struct StageMetrics: Sendable {
  static let duration = "engine_stage_duration_seconds"
  static let results = "engine_stage_results_total"

  let factory: any MetricsFactory

  init(factory: (any MetricsFactory)? = nil) {
    self.factory = factory ?? MetricsSystem.factory
  }

  func record(_ outcome: StageOutcome, duration: Duration?) {
    let result = Self.result(of: outcome)
    Counter(label: Self.results, dimensions: [("result", result)], factory: factory).increment()
    if let duration {
      CoreMetrics.Timer(label: Self.duration, dimensions: [("result", result)], factory: factory)
        .record(duration: duration)
    }
  }

  static func result(of outcome: StageOutcome) -> String {
    switch outcome {
    case .succeeded: "succeeded"
    case .failed: "failed"
    case .skipped: "skipped"
    case .cancelled: "cancelled"
    case .submitted: "submitted"
    }
  }
}
