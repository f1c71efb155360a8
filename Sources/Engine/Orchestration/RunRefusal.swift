import RunState

/// Why the engine will not work on a run at all (the CLI exits 2 and nothing is sent).
public enum RunRefusal: Error, Sendable, Hashable, CustomStringConvertible {
  /// The run is in a status nothing resumes from (destroyed, being destroyed).
  case notResumable(RunID, RunStatus)
  /// The run ran against another vRA than the one given now.
  case endpointMismatch(RunID, recorded: RunTarget, given: RunTarget)
  /// The run applies an environment the plan given now is not bound to.
  case environmentMismatch(RunID, recorded: String, given: String?)
  /// `destroy RUN_ID` of a run that applied an environment: its deployments are the environment's.
  case environmentRun(RunID, environment: String)

  public var description: String {
    switch self {
    case .notResumable(let id, let status):
      "run \(id) is \(status); it cannot be resumed"
        + (status == .succeeded ? " (it already succeeded)" : "; start a new run with `vra-engine apply PLAN`")
    case .endpointMismatch(let id, let recorded, let given):
      "run \(id) ran against \(recorded), not \(given); leave the endpoint unset to use the recorded one, "
        + "or give \(recorded.embedded ? "no endpoint" : recorded.endpoint)"
    case .environmentMismatch(let id, let recorded, let given):
      "run \(id) applies environment \(recorded), but the plan is bound to "
        + (given.map { "environment \($0)" } ?? "no environment") + "; resume it with --env \(recorded)"
    case .environmentRun(let id, let environment):
      "run \(id) applied environment \(environment): its deployments are the environment's, not the run's; "
        + "remove stages from the plan and `vra-engine apply PLAN --env \(environment) --prune` to delete them"
    }
  }
}
