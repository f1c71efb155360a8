import Engine
import RunState

/// A plan that only re-attaches: one stage per stored stage, each with its recorded deployment name.
/// Used by `runs watch`, where the original plan may be gone (a `deploy` has none on disk).
public enum WatchedPlan {
  public static func of(_ run: RunRecord, stages: [StageRecord]) throws -> Plan {
    let unsent = stages.filter { !$0.status.isInFlight && $0.status != .succeeded }
    guard unsent.isEmpty else {
      throw StageFailure(
        message: "stages \(unsent.map(\.name).joined(separator: ", ")) of run \(run.id) have nothing in vRA to watch",
        hint: "resume the run with `vra-engine apply PLAN --resume \(run.id)`")
    }
    return Plan(
      name: run.planName, defaults: PlanDefaults(parallelism: max(1, stages.count)),
      stages: stages.map {
        PlanStage(
          name: $0.name, source: .blueprint(name: "(recorded)", version: nil),
          deploymentName: LiteralText.escape($0.deploymentName ?? $0.name), project: $0.projectId)
      },
      file: run.planPath)
  }
}
