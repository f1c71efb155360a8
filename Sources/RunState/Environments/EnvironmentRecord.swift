import Foundation

/// A named environment (`apply --env staging`): the plan it converges and the run applying it.
public struct EnvironmentRecord: Sendable, Hashable, Codable {
  public var name: String
  /// The plan last applied to it (by name, as the plan file calls itself).
  public var planName: String
  /// The run working on the environment now, or the last one; `claimEnvironment` refuses a new run
  /// while this one has not ended.
  public var activeRunId: RunID?
  public var createdAt: Date
  public var updatedAt: Date

  public init(name: String, planName: String, activeRunId: RunID?, createdAt: Date, updatedAt: Date) {
    self.name = name
    self.planName = planName
    self.activeRunId = activeRunId
    self.createdAt = createdAt
    self.updatedAt = updatedAt
  }
}
