/// Counters of what a tracker did, for tests, benchmarks and `vra-engine serve` status pages.
public struct TrackerStatistics: Sendable, Hashable {
  /// Ticks of all project loops.
  public var ticks = 0
  /// Delta list calls (`lastUpdatedAt=[watermark,]`), pages included.
  public var listCalls = 0
  /// Unfiltered list calls made to re-check stale watches.
  public var recheckListCalls = 0
  /// Fallback `GET /deployment/api/deployments/{id}` calls.
  public var deploymentLookups = 0
  /// Fallback `GET /deployment/api/requests/{id}` calls.
  public var requestLookups = 0
  /// Calls that failed (logged; the loop retries on its next tick).
  public var failedCalls = 0
  /// Updates delivered to subscribers.
  public var updatesDelivered = 0

  public init() {}

  /// Every API call the tracker made.
  public var apiCalls: Int { listCalls + recheckListCalls + deploymentLookups + requestLookups }
}
