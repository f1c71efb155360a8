import Foundation
import RunState
import VRAClient
import VRAModels

/// `vra-engine destroy RUN_ID`: deletes everything the run created, dependents first, with the
/// run's lease held. In-flight requests are cancelled first (as `cancel` does), a stage submitted
/// without an id is looked up by its deployment name, and the run ends `destroyed` (nothing of it
/// left in vRA) or `destroy-failed` (destroy again retries what is left).
public struct RunDestroyer: Sendable {
  let client: VRAClient
  let store: any StateStore
  let tracking: any RequestTracking
  let lease: LeaseSettings
  let emit: @Sendable (RunEvent) -> Void

  public init(
    client: VRAClient, store: any StateStore, tracking: any RequestTracking, lease: LeaseSettings = LeaseSettings(),
    emit: @escaping @Sendable (RunEvent) -> Void = { _ in }
  ) {
    self.client = client
    self.store = store
    self.tracking = tracking
    self.lease = lease
    self.emit = emit
  }

  /// One deployment `destroy` deletes (or looks for by name).
  public struct Item: Sendable, Hashable {
    public var stage: String
    public var deploymentName: String?
    /// Nil: only the name is known (a submit cut short); it is looked up in vRA first.
    public var deploymentId: String?
    public var inFlight: Bool

    public init(stage: String, deploymentName: String?, deploymentId: String?, inFlight: Bool) {
      self.stage = stage
      self.deploymentName = deploymentName
      self.deploymentId = deploymentId
      self.inFlight = inFlight
    }
  }

  /// What `destroy` would delete, in deletion order, read from the store (nothing is sent).
  public func items(_ runId: RunID, order: [String]) async throws -> [Item] {
    if let environment = try await store.run(runId)?.options[Orchestrator.environmentOption]?.stringValue {
      throw RunRefusal.environmentRun(runId, environment: environment)
    }
    let records = try await store.stages(of: runId)
    let byName = Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0) })
    let sequence = Rollback(
      runId: runId, order: order, purpose: .destroy, client: client, store: store, tracking: tracking
    ).sequence(of: records)
    return sequence.compactMap { name -> Item? in
      guard let record = byName[name], record.status != .destroyed, record.status != .rolledBack,
        record.operation != .action  // acted on a deployment; deleted only with the stage that made it
      else { return nil }
      // Something may exist in vRA: an id, or a name announced by an intent (never for pending/skipped).
      let announced = record.deploymentName != nil && ![.pending, .skipped].contains(record.status)
      guard record.deploymentId != nil || announced else { return nil }
      return Item(
        stage: name, deploymentName: record.deploymentName, deploymentId: record.deploymentId,
        inFlight: record.status.isInFlight)
    }
  }

  /// Destroys the run. - Returns: the run's final status (`destroyed` or `destroy-failed`) and
  /// the stages whose deletion failed.
  public func destroy(
    _ runId: RunID, order: [String], mode: LeaseAcquisition = .ifFree
  ) async throws -> (status: RunStatus, failed: [String]) {
    guard let run = try await store.run(runId) else { throw StateStoreError.unknownRun(runId) }
    if let environment = run.options[Orchestrator.environmentOption]?.stringValue {
      throw RunRefusal.environmentRun(runId, environment: environment)
    }
    if run.status == .destroyed { return (.destroyed, []) }
    if !run.status.canTransition(to: .destroying) {
      // In flight (a crashed apply, a --no-wait deploy): cancel what runs first, then delete.
      _ = try await RunCanceller(client: client, store: store, tracking: tracking, lease: lease)
        .cancel(runId, mode: mode)
    }
    return try await RunOwnership(store: store, settings: lease).hold(runId, mode: mode) { _ in
      guard let current = try await store.run(runId), current.status.canTransition(to: .destroying) else {
        throw RunRefusal.notResumable(runId, try await store.run(runId)?.status ?? run.status)
      }
      try await store.updateRunStatus(runId, to: .destroying)
      let failed = try await Rollback(
        runId: runId, order: order, purpose: .destroy, client: client, store: store, tracking: tracking, emit: emit
      ).run()
      let status: RunStatus = failed.isEmpty ? .destroyed : .destroyFailed
      try await store.updateRunStatus(runId, to: status)
      emit(.runFinished(runId, status))
      return (status, failed)
    }
  }

  /// The order the stages of `run` were deployed in: the plan's, when its file is still there and
  /// names the same stages, else the recorded order. Deletion goes the other way.
  public static func stageOrder(of run: RunRecord, recorded: [String]) -> [String] {
    guard let plan = try? PlanLoader.load(contentsOf: URL(fileURLWithPath: run.planPath)),
      let graph = try? StageGraph(plan: plan), Set(graph.topologicalOrder) == Set(recorded)
    else { return recorded }
    return graph.topologicalOrder
  }
}
