import VRAClient
import VRAModels

/// Deletes what a failed run created, dependents before what they depend on, each delete tracked
/// to its end and recorded; a stage whose deletion fails stays listed so `destroy` can retry it.
struct Rollback: Sendable {
  let runId: RunID
  let plan: Plan
  let graph: StageGraph
  let client: VRAClient
  let store: any StateStore
  let tracking: any RequestTracking
  let emit: @Sendable (RunEvent) -> Void

  func run() async {
    let records = (try? await store.stages(of: runId)) ?? []
    let byName = Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0) })
    for name in graph.reverseTopologicalOrder {
      guard let record = byName[name], let deploymentId = record.deploymentId,
        [.succeeded, .failed, .cancelled].contains(record.status)
      else { continue }
      do {
        try await store.recordStageStatus(run: runId, stage: name, to: .rollingBack)
        emit(.stage(name, .rollingBack, detail: record.deploymentName))
        let remover = DeploymentRemover(client: client, tracking: tracking)
        let requestId = try await remover.remove(deploymentId: deploymentId, projectId: record.projectId ?? "") {
          [store, runId] id in
          try await store.recordDeleteRequest(
            run: runId, stage: name, purpose: .rollback, deleteRequestId: id, deploymentId: deploymentId)
        }
        if let requestId {
          try await store.updateDeleteRequest(
            run: runId, stage: name, deleteRequestId: requestId, status: .succeeded, error: nil)
        }
        try await store.recordStageStatus(run: runId, stage: name, to: .rolledBack)
        emit(.stage(name, .rolledBack, detail: record.deploymentName))
      } catch {
        let failure = StageRunner.failure(from: error)
        _ = try? await store.recordStageFailure(
          run: runId, stage: name,
          error: RecordedError(errorClass: "rollback", message: failure.message, hint: failure.hint))
        emit(.stage(name, .failed, detail: "rollback failed: \(failure)"))
      }
    }
  }
}
