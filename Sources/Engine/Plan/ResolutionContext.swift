import RunState

/// Everything a `${...}` reference can read when a stage starts.
public struct ResolutionContext: Sendable {
  public var runId: RunID
  /// The engine's environment, for `${env.X}`.
  public var environment: [String: String]
  /// Results of the stages finished so far, by stage name.
  public var stageResults: [String: StageOutputs]

  public init(runId: RunID, environment: [String: String] = [:], stageResults: [String: StageOutputs] = [:]) {
    self.runId = runId
    self.environment = environment
    self.stageResults = stageResults
  }
}
