import Foundation
import VRAModels

/// The engine's durable memory: runs, stages, delete requests and the event log.
///
/// Every state change goes here *before* the engine acts on it; that is what makes
/// `apply --resume` exact (DESIGN.md, Data flow).
///
/// Guarantees every implementation gives:
/// - **Durable on return.** Each write is one transaction, committed (and synced to disk) before
///   the call returns. A call that throws changed nothing.
/// - **Validated transitions.** A status change `RunLifecycle` does not list throws
///   `StateStoreError.illegalRun/StageTransition` and leaves the stored state unchanged.
/// - **Fenced.** Every write of a run checks its lease in the same transaction: a store holding
///   the lease writes only while its epoch is the stored one (else `.leaseLost`); a store not
///   holding it cannot write to a run a live owner holds (`.runOwned`), except `requestCancel`.
/// - **Shared.** Several processes (say `apply` and `vra-engine cancel RUN_ID`) and many tasks may
///   use the same store at once; writes are serialized, none is lost.
/// - **Audited.** Run and stage status changes append a `run.status` / `stage.status` event in the
///   same transaction.
/// - **Writes exactly what it is given.** The store never redacts, rewrites or drops values.
///
/// **Secrets.** The store must never hold a secret. Callers pass *already-redacted* data:
/// `options`, `outputs`, `resources`, error messages and event data go through the engine's
/// redactor (encrypted inputs, passwords, tokens, Vault values) before they reach this API —
/// the `Orchestrator` does it by wrapping its store in `RedactingStateStore`.
///
/// Cancellation: a write that has started is carried to its commit even when the calling task is
/// cancelled, so Ctrl-C can still record what it did.
public protocol StateStore: Sendable {
  // MARK: Runs

  /// Creates a run in `pending` with its stages (in plan order) in `pending`, atomically, recording
  /// the vRA it is run against.
  func createRun(
    id: RunID, planName: String, planPath: String, planDigest: String, options: JSONValue, stages: [String],
    target: RunTarget?
  ) async throws -> RunRecord

  /// Moves a run to `status`. Entering a terminal status sets `finishedAt`; leaving one clears it.
  @discardableResult
  func updateRunStatus(_ id: RunID, to status: RunStatus) async throws -> RunRecord

  func run(_ id: RunID) async throws -> RunRecord?

  /// The most recent runs first (by `startedAt`, then id).
  func runs(limit: Int) async throws -> [RunRecord]

  /// Deletes a run with its stages, events and delete requests (`vra-engine runs prune`).
  /// Refused with `.runOwned` while a live process holds its lease.
  func deleteRun(_ id: RunID) async throws

  // MARK: Ownership (one owner per run)

  /// Takes the run's lease for `duration` and raises its epoch; from then on every write of the run
  /// through this store is fenced by that epoch. A pending cancel request is cleared (the new owner
  /// decides). Throws `.runOwned` while another live owner holds it, `.leaseExpired` for an expired
  /// lease unless `mode` is `.takeover`.
  func acquireLease(run: RunID, duration: Duration, mode: LeaseAcquisition) async throws -> RunLease

  /// Extends the lease by `duration` from now and reports a pending cancel request.
  /// Throws `.leaseLost` when another process took the lease over.
  func renewLease(_ lease: RunLease, duration: Duration) async throws -> LeaseRenewal

  /// Gives the lease up (the run stays as it is); a lease already taken over is left alone.
  func releaseLease(_ lease: RunLease) async throws

  /// Asks whoever owns the run to cancel it (the one write others may make to a leased run).
  @discardableResult
  func requestCancel(run: RunID) async throws -> RunRecord

  // MARK: Stages (write-ahead intent)

  /// Records the intent to submit `stage` as deployment `deploymentName`, *before* the creating POST.
  /// The stage goes to `submitting`; ids, outputs, resources and error of an earlier attempt are cleared.
  /// `attempt` must not be lower than the stored one.
  @discardableResult
  func recordIntent(
    run: RunID, stage: String, deploymentName: String, projectId: String?, attempt: Int
  )
    async throws -> StageRecord

  /// Records what vRA answered to the creating POST (or what reconciliation found by name), right
  /// after it answered. The stage goes to `submitted`. At least one id is required.
  @discardableResult
  func recordSubmitted(
    run: RunID, stage: String, blueprintRequestId: String?, requestId: String?, deploymentId: String?
  ) async throws -> StageRecord

  /// Moves a stage to `status` without a result: `running`, `cancelled`, `skipped`, `rolling-back`,
  /// `rolled-back`, `pending`. Ids given here fill in ids that were unknown (nil never erases).
  @discardableResult
  func recordStageStatus(
    run: RunID, stage: String, to status: StageStatus, requestId: String?, deploymentId: String?
  ) async throws -> StageRecord

  /// The stage succeeded with these (redacted) outputs and resources.
  @discardableResult
  func recordStageResult(
    run: RunID, stage: String, outputs: JSONValue, resources: JSONValue
  ) async throws
    -> StageRecord

  /// The stage failed. `error.message` is already redacted.
  @discardableResult
  func recordStageFailure(run: RunID, stage: String, error: RecordedError) async throws -> StageRecord

  func stage(run: RunID, name: String) async throws -> StageRecord?

  /// The stages of a run, in plan order.
  func stages(of run: RunID) async throws -> [StageRecord]

  /// Stages in `submitting` with no id: resume must look their deployment up by name before
  /// doing anything else with them.
  func stagesNeedingReconciliation(run: RunID) async throws -> [StageRecord]

  // MARK: Rollback and destroy

  /// Records a delete request sent for a stage's deployment (status `requested`).
  @discardableResult
  func recordDeleteRequest(
    run: RunID, stage: String, purpose: DeleteRequestRecord.Purpose, deleteRequestId: String, deploymentId: String?
  ) async throws -> DeleteRequestRecord

  /// Records how a delete request ended.
  @discardableResult
  func updateDeleteRequest(
    run: RunID, stage: String, deleteRequestId: String, status: DeleteRequestRecord.Status, error: RecordedError?
  ) async throws -> DeleteRequestRecord

  /// The delete requests of a run, oldest first.
  func deleteRequests(of run: RunID) async throws -> [DeleteRequestRecord]

  // MARK: Events

  /// Appends an event to the run's log. `message` and `data` are already redacted.
  @discardableResult
  func appendEvent(
    run: RunID, stage: String?, kind: String, message: String, data: JSONValue?
  ) async throws
    -> EventRecord

  /// The run's events in commit order; `after` returns only events with a greater sequence (for tailing).
  func events(of run: RunID, after sequence: Int64?) async throws -> [EventRecord]

  // MARK: Environments

  /// Makes `run` the one applying environment `name` (created on first use). Throws
  /// `.environmentBusy` while another run that has not ended applies it.
  @discardableResult
  func claimEnvironment(_ name: String, planName: String, run: RunID) async throws -> EnvironmentRecord

  func environment(_ name: String) async throws -> EnvironmentRecord?

  /// Every environment, by name.
  func environments() async throws -> [EnvironmentRecord]

  /// What is applied to each stage of the environment, by stage name.
  func environmentStages(_ environment: String) async throws -> [EnvironmentStageState]

  /// Records what `applied.runId` brought a stage of the environment to (fenced by that run's lease,
  /// refused unless it is the run applying the environment); the state before the run is kept.
  func recordApplied(environment: String, _ applied: AppliedStage) async throws

  /// Removes a stage from the environment (its deployment was deleted by `apply --prune`).
  func removeApplied(environment: String, stage: String, run: RunID) async throws

  /// Records what an environment run does to the stage, before it does it (fenced).
  @discardableResult
  func recordStageOperation(
    run: RunID, stage: String, operation: StageOperation, baselineRequestId: String?
  ) async throws -> StageRecord

  /// An environment stage already as the plan wants it: `succeeded` from `pending` with its
  /// deployment's ids and (redacted) outputs, nothing sent.
  @discardableResult
  func recordStageUnchanged(
    run: RunID, stage: String, deploymentName: String, deploymentId: String, projectId: String,
    outputs: JSONValue, resources: JSONValue
  ) async throws -> StageRecord

  /// Releases the database. Later calls throw `StateStoreError.closed`.
  func close() async throws
}

extension StateStore {
  /// Creates a run with no recorded target (tests, and stores that predate targets).
  public func createRun(
    id: RunID, planName: String, planPath: String, planDigest: String, options: JSONValue, stages: [String]
  ) async throws -> RunRecord {
    try await createRun(
      id: id, planName: planName, planPath: planPath, planDigest: planDigest, options: options, stages: stages,
      target: nil)
  }

  /// Moves a stage to `status` without touching its ids.
  @discardableResult
  public func recordStageStatus(run: RunID, stage: String, to status: StageStatus) async throws -> StageRecord {
    try await recordStageStatus(run: run, stage: stage, to: status, requestId: nil, deploymentId: nil)
  }

  /// Appends an event with no stage and no data.
  @discardableResult
  public func appendEvent(run: RunID, kind: String, message: String) async throws -> EventRecord {
    try await appendEvent(run: run, stage: nil, kind: kind, message: message, data: nil)
  }

  /// Every event of the run, in commit order.
  public func events(of run: RunID) async throws -> [EventRecord] {
    try await events(of: run, after: nil)
  }
}
