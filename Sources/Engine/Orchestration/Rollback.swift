import RunState
import VRAClient
import VRAModels

/// Deletes what a run created, dependents before what they depend on, each delete tracked to its
/// end and recorded: the rollback of a failed run (stages go `rolling-back → rolled-back`) and
/// `vra-engine destroy` (`destroying → destroyed`). A stage whose deletion fails is recorded
/// failed and keeps its deployment id, so a later `destroy` retries it.
public struct Rollback: Sendable {
  let runId: RunID
  /// Stage names, dependencies first (the plan's topological order).
  let order: [String]
  let purpose: DeleteRequestRecord.Purpose
  let client: VRAClient
  let store: any StateStore
  let tracking: any RequestTracking
  let emit: @Sendable (RunEvent) -> Void
  /// An environment run's rollback returns updated stages to their previous state instead of
  /// deleting their deployments (which the environment had before the run), and leaves unchanged
  /// ones alone.
  var reverter: UpdateReverter?

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

  private var statuses: (during: StageStatus, done: StageStatus) {
    purpose == .rollback ? (.rollingBack, .rolledBack) : (.destroying, .destroyed)
  }

  /// The stage names in deletion order: stages the order does not know (a plan edited since) first,
  /// since nothing known depends on them, then dependents before their dependencies.
  func sequence(of records: [StageRecord]) -> [String] {
    let known = Set(order)
    return records.map(\.name).filter { !known.contains($0) } + order.reversed()
  }

  /// - Returns: the stages whose deployment could not be deleted.
  @discardableResult
  public func run() async throws -> [String] {
    let records = try await store.stages(of: runId)
    let byName = Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0) })
    var failed: [String] = []
    for name in sequence(of: records) {
      guard let record = byName[name] else { continue }
      do {
        if try await !remove(record) { failed.append(name) }
      } catch let error as StateStoreError {
        throw error  // The store refused (a lost lease): nothing more may be done from here.
      } catch {
        failed.append(name)
      }
    }
    return failed
  }

  /// Returns an updated stage of an environment run to what it was before the run.
  private func revert(_ record: StageRecord, with reverter: UpdateReverter) async throws -> Bool {
    let name = record.name
    guard record.status.canTransition(to: .rollingBack) else { return true }
    do {
      try await store.recordStageStatus(run: runId, stage: name, to: .rollingBack)
      emit(.stage(name, .rollingBack, detail: "returning \(record.deploymentName ?? name) to its previous state"))
      _ = try await reverter.revert(record)
      try await store.recordStageStatus(run: runId, stage: name, to: .rolledBack)
      emit(.stage(name, .rolledBack, detail: record.deploymentName))
      return true
    } catch let error as StateStoreError {
      throw error
    } catch {
      return try await recordFailure(of: name, error, doing: "rollback")
    }
  }

  /// Records a stage whose deletion (or return to its previous state) failed; it keeps its
  /// deployment id, so a later `destroy` or resume tries again. Always false.
  private func recordFailure(of name: String, _ error: any Error, doing what: String) async throws -> Bool {
    let failure = StageRunner.failure(from: error)
    try await store.recordStageFailure(
      run: runId, stage: name,
      error: RecordedError(errorClass: FailureClass(purpose), message: failure.message, hint: failure.hint))
    emit(.stage(name, .failed, detail: "\(what) failed: \(failure)"))
    return false
  }

  /// Deletes one stage's deployment; false when vRA refused or failed the deletion.
  private func remove(_ record: StageRecord) async throws -> Bool {
    let name = record.name
    let (during, done) = statuses
    if record.operation == .action {
      // Nothing is deleted or undone: the deployment is another stage's (deleted with that stage) or
      // outside the run, and vRA has no inverse of an action. The stage ends with the run's others.
      guard record.deploymentId != nil || purpose == .destroy else { return true }
      var status = record.status
      if !status.canTransition(to: done), status.canTransition(to: during) {
        try await store.recordStageStatus(run: runId, stage: name, to: during)
        status = during
      }
      if status.canTransition(to: done) {
        try await store.recordStageStatus(run: runId, stage: name, to: done)
        emit(.stage(name, done, detail: "an action: nothing of it to delete"))
      }
      return true
    }
    if record.status == .succeeded, record.deploymentId == nil, record.deploymentName == nil {
      // A check stage: nothing of it exists in vRA. It ends with the run's others.
      try await store.recordStageStatus(run: runId, stage: name, to: during)
      try await store.recordStageStatus(run: runId, stage: name, to: done)
      emit(.stage(name, done, detail: "a check: nothing of it to delete"))
      return true
    }
    if purpose == .rollback, let operation = record.operation, operation.keepsDeployment {
      guard operation == .update, let reverter else { return true }
      return try await revert(record, with: reverter)
    }
    var deploymentId = record.deploymentId
    if purpose == .destroy, deploymentId == nil, let deploymentName = record.deploymentName,
      record.status != .destroyed
    {
      // Submitted but no id came back (a crash, an ambiguous failure): vRA may still have it by name.
      deploymentId = try await client.deployment(named: deploymentName, projectId: record.projectId)?.id
    }
    switch purpose {
    case .rollback:
      // A pending or skipped stage with an id holds the deployment of an attempt before a resume.
      guard deploymentId != nil,
        [.succeeded, .failed, .cancelled, .rollingBack, .pending, .skipped].contains(record.status)
      else {
        return true
      }
    case .destroy:
      guard record.status != .destroyed else { return true }
      guard deploymentId != nil,
        [.succeeded, .failed, .cancelled, .destroying, .pending, .skipped].contains(record.status)
      else {
        // Nothing of this stage exists in vRA: never submitted, rolled back, or not found by its name.
        if record.status.canTransition(to: .destroyed) {
          try await store.recordStageStatus(run: runId, stage: name, to: .destroyed)
        }
        return true
      }
    }
    guard let deploymentId else { return true }
    do {
      try await store.recordStageStatus(run: runId, stage: name, to: during, requestId: nil, deploymentId: deploymentId)
      emit(.stage(name, during, detail: record.deploymentName))
      let remover = DeploymentRemover(client: client, tracking: tracking)
      let requestId = try await remover.remove(
        deploymentId: deploymentId, projectId: record.projectId ?? "",
        awaitingApproval: { [emit] status in
          emit(.stage(name, during, detail: "delete awaiting approval in vRA (\(status.rawValue))"))
        }
      ) { [store, runId, purpose] id in
        try await store.recordDeleteRequest(
          run: runId, stage: name, purpose: purpose, deleteRequestId: id, deploymentId: deploymentId)
      }
      if let requestId {
        try await store.updateDeleteRequest(
          run: runId, stage: name, deleteRequestId: requestId, status: .succeeded, error: nil)
      }
      try await store.recordStageStatus(run: runId, stage: name, to: done)
      if purpose == .rollback, let environment = reverter?.environment, record.operation != nil {
        // The environment's stage was created (or replaced) by this run and is gone again.
        try await store.removeApplied(environment: environment, stage: name, run: runId)
      }
      emit(.stage(name, done, detail: record.deploymentName))
      return true
    } catch let error as StateStoreError {
      throw error
    } catch {
      return try await recordFailure(of: name, error, doing: purpose.rawValue)
    }
  }
}
