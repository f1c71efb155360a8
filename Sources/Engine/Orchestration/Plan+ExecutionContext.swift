import RunState

extension Plan {
  /// The execution context of `stage` in run `runId`: the plan defaults with the stage's values on top.
  public func executionContext(for stage: PlanStage, runId: RunID) -> ExecutionContext {
    let context = context(for: stage)
    return ExecutionContext(
      runId: runId, stage: stage.name, org: context.org, project: project(for: stage), region: context.region,
      constraintTags: context.constraintTags)
  }
}
