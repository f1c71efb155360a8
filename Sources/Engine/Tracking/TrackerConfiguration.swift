import Logging
import Metrics

/// How a `DeploymentTracker` polls: the forecast-driven interval (`PollScheduler`), the watermark overlap, and
/// when it falls back from the batched list to per-id GETs.
public struct TrackerConfiguration: Sendable {
  /// The wait after a tick that saw a change, and after a new watch arrives.
  public var minInterval: Duration
  /// The longest wait, reached after enough quiet ticks.
  public var maxInterval: Duration
  /// Each quiet tick multiplies the wait by this factor (capped at `maxInterval`).
  public var backoffFactor: Double
  /// Each wait is spread by ±`jitter` (0.2 = ±20 %) so loops of many engines do not align.
  public var jitter: Double
  /// How long after a request's expected completion the tracker should have handed it over (see
  /// `PollScheduler`): its project's list call is sent this long after the completion, less the
  /// list's measured response time, so completions expected within that time of each other share
  /// one call. A larger value spends fewer calls where completions are dense, and notices each
  /// forecast completion up to this long after it happens.
  public var noticeTarget: Duration
  /// The watermark is the latest server time seen minus this overlap; updates inside it are fetched
  /// twice and de-duplicated, so an update stamped within the same millisecond is never missed.
  public var watermarkOverlap: Duration
  /// `$top` of each list call (vRA caps it at 1000).
  public var pageSize: Int
  /// A watch never seen in a list after this many ticks is looked up by id (deleted? wrong project?).
  public var fallbackAfterTicks: Int
  /// A watch not seen for this long (an unchanged deployment does not appear under the watermark) is
  /// checked again, so a deployment deleted between two ticks is still reported.
  public var recheckAfter: Duration
  /// More stale watches than this in one project are checked with one unfiltered list
  /// (1 call per `pageSize` deployments) instead of one GET each.
  public var maxLookupsPerTick: Int
  public var logger: Logger
  /// nil uses `MetricsSystem.factory`.
  public var metricsFactory: (any MetricsFactory)?

  public init(
    minInterval: Duration = .milliseconds(500), maxInterval: Duration = .seconds(10), backoffFactor: Double = 1.5,
    jitter: Double = 0.2, watermarkOverlap: Duration = .seconds(1), pageSize: Int = 1000,
    fallbackAfterTicks: Int = 3, recheckAfter: Duration = .seconds(120), maxLookupsPerTick: Int = 10,
    noticeTarget: Duration = .seconds(1),
    logger: Logger = Logger(label: "vra-engine.tracker"), metricsFactory: (any MetricsFactory)? = nil
  ) {
    self.minInterval = minInterval
    self.maxInterval = max(maxInterval, minInterval)
    self.backoffFactor = max(backoffFactor, 1)
    self.jitter = min(max(jitter, 0), 0.9)
    self.watermarkOverlap = watermarkOverlap
    self.pageSize = min(max(pageSize, 1), 1000)
    self.fallbackAfterTicks = max(fallbackAfterTicks, 1)
    self.recheckAfter = recheckAfter
    self.maxLookupsPerTick = max(maxLookupsPerTick, 0)
    self.noticeTarget = max(noticeTarget, .zero)
    self.logger = logger
    self.metricsFactory = metricsFactory
  }
}
