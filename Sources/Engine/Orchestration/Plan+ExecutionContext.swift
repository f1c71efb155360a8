import RunState

extension Plan {
  /// The execution context of `stage` in run `runId`: the plan defaults with the stage's values on top.
  public func executionContext(for stage: PlanStage, runId: RunID) -> ExecutionContext {
    let placement = placement(for: stage)
    return ExecutionContext(
      runId: runId, stage: stage.name, org: placement.org, project: project(for: stage), region: placement.region,
      constraintTags: placement.constraintTags)
  }
}
