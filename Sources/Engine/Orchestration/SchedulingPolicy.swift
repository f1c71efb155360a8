/// What a run does when a stage fails, and how much runs at once.
public struct SchedulingPolicy: Sendable, Hashable {
  public enum OnFailure: String, Sendable, Hashable, Codable {
    /// Start nothing new; stages already running finish (they are vRA requests in flight).
    case stop
    /// Keep going with every stage that does not depend, directly or not, on a failed one.
    case `continue`
  }

  /// Stages running at once, over the whole run.
  public var parallelism: Int
  /// Stages running at once in one project (vRA projects have their own quotas); nil: no limit.
  public var perProjectLimit: Int?
  public var onFailure: OnFailure

  public init(parallelism: Int = 4, perProjectLimit: Int? = nil, onFailure: OnFailure = .stop) {
    self.parallelism = max(1, parallelism)
    self.perProjectLimit = perProjectLimit.map { max(1, $0) }
    self.onFailure = onFailure
  }
}
