import VRAClient
import VRAModels

/// Deletes what a run created, dependents before what they depend on, each delete tracked to its
/// end and recorded: the rollback of a failed run, and `vra-engine destroy`. A stage whose deletion
/// fails stays listed (and keeps its deployment id) so a later `destroy` can retry it.
public struct Rollback: Sendable {
  let runId: RunID
  /// Stage names, dependencies first (the plan's topological order).
  let order: [String]
  let purpose: DeleteRequestRecord.Purpose
  let client: VRAClient
  let store: any StateStore
  let tracking: any RequestTracking
  let emit: @Sendable (RunEvent) -> Void

  public init(
    runId: RunID, order: [String], purpose: DeleteRequestRecord.Purpose, client: VRAClient, store: any StateStore,
    tracking: any RequestTracking, emit: @escaping @Sendable (RunEvent) -> Void = { _ in }
  ) {
    self.runId = runId
    self.order = order
    self.purpose = purpose
    self.client = client
    self.store = store
    self.tracking = tracking
    self.emit = emit
  }

  /// - Returns: the stages whose deployment could not be deleted.
  @discardableResult
  public func run() async -> [String] {
    let records = (try? await store.stages(of: runId)) ?? []
    let byName = Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0) })
    // Stages the order does not know (a plan edited since) go first: nothing known depends on them.
    let known = Set(order)
    let sequence = records.map(\.name).filter { !known.contains($0) } + order.reversed()
    var failed: [String] = []
    for name in sequence {
      guard let record = byName[name], let deploymentId = record.deploymentId,
        [.succeeded, .failed, .cancelled, .rollingBack].contains(record.status)
      else { continue }
      do {
        try await store.recordStageStatus(run: runId, stage: name, to: .rollingBack)
        emit(.stage(name, .rollingBack, detail: record.deploymentName))
        let remover = DeploymentRemover(client: client, tracking: tracking)
        let requestId = try await remover.remove(deploymentId: deploymentId, projectId: record.projectId ?? "") {
          [store, runId] id in
          try await store.recordDeleteRequest(
            run: runId, stage: name, purpose: purpose, deleteRequestId: id, deploymentId: deploymentId)
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
          error: RecordedError(errorClass: purpose.rawValue, message: failure.message, hint: failure.hint))
        emit(.stage(name, .failed, detail: "\(purpose.rawValue) failed: \(failure)"))
        failed.append(name)
      }
    }
    return failed
  }
}
