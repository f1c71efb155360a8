/// An environment stage as stored: what is applied now, and what was applied before the run that
/// applied it (what a rollback of that run's update returns to).
public struct EnvironmentStageState: Sendable, Hashable, Codable {
  public var applied: AppliedStage
  /// The state before `applied.runId` changed it; nil when that run created it.
  public var previous: AppliedStage?

  public init(applied: AppliedStage, previous: AppliedStage?) {
    self.applied = applied
    self.previous = previous
  }

  /// What the stage was before `run` touched it: `previous` if `run` applied it, else `applied`.
  public func before(_ run: RunID) -> AppliedStage? {
    applied.runId == run ? previous : applied
  }
}
