import Logging
import RunState
import VRAClient

/// The stages an environment has and its plan no longer lists: deleted (`apply --prune`), each
/// delete tracked to its end and then removed from the environment, or kept and named.
/// Runs after every stage of the plan succeeded, so nothing is deleted on the way to a failure.
struct EnvironmentPruner: Sendable {
  let environment: String
  let runId: RunID
  let plan: Plan
  let client: VRAClient
  let store: any StateStore
  let tracking: any RequestTracking
  let control: RunControl
  let logger: Logger

  func run(prune: Bool) async throws {
    let planned = Set(plan.stageNames)
    let removed = try await store.environmentStages(environment).map(\.applied).filter { !planned.contains($0.stage) }
    for applied in removed {
      guard prune else {
        logger.warning(
          "stage is no longer in the plan; kept (apply --prune deletes it)",
          metadata: ["stage": "\(applied.stage)", "deployment": "\(applied.deploymentName)"])
        try await store.appendEvent(
          run: runId, stage: nil, kind: EventRecord.Kind.environmentStage,
          message:
            "environment \(environment): stage \(applied.stage) is no longer in the plan; kept (--prune deletes it)",
          data: ["environment": .string(environment), "kept": .string(applied.stage)])
        continue
      }
      try await control.confirmLease(of: runId)
      logger.warning(
        "deleting a stage no longer in the plan (--prune)",
        metadata: ["stage": "\(applied.stage)", "deployment": "\(applied.deploymentName)"])
      try await DeploymentRemover(client: client, tracking: tracking)
        .remove(deploymentId: applied.deploymentId, projectId: applied.projectId)
      try await store.removeApplied(environment: environment, stage: applied.stage, run: runId)
    }
  }
}
