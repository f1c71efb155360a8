import CoreMetrics
import Metrics
import VRAModels

/// The tracker's swift-metrics instruments. Dimensions are bounded (call kinds, update
/// kinds); project and deployment ids never become labels.
struct TrackerMetrics: Sendable {
  static let ticks = "engine_tracker_ticks_total"
  /// Every API call the tracker made (a "poll"), by kind: list, recheck_list, deployment, request.
  static let apiCalls = "engine_tracker_polls_total"
  static let callsPerTick = "engine_tracker_api_calls_per_tick"
  static let interval = "engine_tracker_poll_interval_seconds"
  /// Deployments whose request is being followed to its end.
  static let watched = "engine_deployments_in_flight"
  static let activeProjects = "engine_tracker_active_projects"
  static let updates = "engine_tracker_updates_total"
  static let errors = "engine_tracker_errors_total"
  static let noticeLatency = "engine_tracker_notice_latency_seconds"

  enum CallKind: String { case list, recheckList = "recheck_list", deployment, request }

  let factory: any MetricsFactory

  init(factory: (any MetricsFactory)?) {
    self.factory = factory ?? MetricsSystem.factory
  }

  func tick(calls: Int, nextWait: Duration) {
    Counter(label: Self.ticks, factory: factory).increment()
    Recorder(label: Self.callsPerTick, factory: factory).record(calls)
    Recorder(label: Self.interval, factory: factory).record(nextWait.seconds)
  }

  func call(_ kind: CallKind) {
    Counter(label: Self.apiCalls, dimensions: [("kind", kind.rawValue)], factory: factory).increment()
  }

  func error(_ kind: CallKind) {
    Counter(label: Self.errors, dimensions: [("kind", kind.rawValue)], factory: factory).increment()
  }

  func update(_ kind: TrackedUpdate.Kind) {
    Counter(label: Self.updates, dimensions: [("kind", kind.rawValue)], factory: factory).increment()
  }

  func gauges(watched: Int, projects: Int) {
    Gauge(label: Self.watched, factory: factory).record(watched)
    Gauge(label: Self.activeProjects, factory: factory).record(projects)
  }

  /// From vRA's completion stamp to this process noticing it (server and local clocks compared).
  func noticed(after seconds: Double) {
    guard seconds >= 0 else { return }
    Recorder(label: Self.noticeLatency, factory: factory).record(seconds)
  }
}
