import Credentials
import VRAModels

/// A `StateStore` whose writes pass the run's `Redactor` first: outputs, resources, run options,
/// error messages and hints, event messages and data. The store itself writes exactly what it is
/// given; this is the boundary where the engine's data becomes durable, so this is where it is
/// redacted, once, instead of at every place that produces a value.
///
/// Ids, statuses and deployment names are kept as they are: they are how a resume finds its way
/// back, and plan secrets can only reach inputs, never a deployment name.
public struct RedactingStateStore: StateStore {
  public let base: any StateStore
  public let redactor: Redactor

  public init(_ base: any StateStore, redactor: Redactor) {
    self.base = base
    self.redactor = redactor
  }

  private func redact(_ error: RecordedError) -> RecordedError {
    RecordedError(
      errorClass: error.errorClass, message: redactor.redact(error.message),
      hint: error.hint.map { redactor.redact($0) })
  }

  // MARK: Runs

  public func createRun(
    id: RunID, planName: String, planPath: String, planDigest: String, options: JSONValue, stages: [String],
    target: RunTarget?
  ) async throws -> RunRecord {
    try await base.createRun(
      id: id, planName: planName, planPath: planPath, planDigest: planDigest, options: redactor.redact(options),
      stages: stages, target: target)
  }

  @discardableResult
  public func updateRunStatus(_ id: RunID, to status: RunStatus) async throws -> RunRecord {
    try await base.updateRunStatus(id, to: status)
  }

  public func run(_ id: RunID) async throws -> RunRecord? { try await base.run(id) }

  public func runs(limit: Int) async throws -> [RunRecord] { try await base.runs(limit: limit) }

  public func deleteRun(_ id: RunID) async throws { try await base.deleteRun(id) }

  // MARK: Ownership

  public func acquireLease(run: RunID, duration: Duration, mode: LeaseAcquisition) async throws -> RunLease {
    try await base.acquireLease(run: run, duration: duration, mode: mode)
  }

  public func renewLease(_ lease: RunLease, duration: Duration) async throws -> LeaseRenewal {
    try await base.renewLease(lease, duration: duration)
  }

  public func releaseLease(_ lease: RunLease) async throws { try await base.releaseLease(lease) }

  @discardableResult
  public func requestCancel(run: RunID) async throws -> RunRecord { try await base.requestCancel(run: run) }

  // MARK: Stages

  @discardableResult
  public func recordIntent(
    run: RunID, stage: String, deploymentName: String, projectId: String?, attempt: Int
  ) async throws -> StageRecord {
    try await base.recordIntent(
      run: run, stage: stage, deploymentName: deploymentName, projectId: projectId, attempt: attempt)
  }

  @discardableResult
  public func recordSubmitted(
    run: RunID, stage: String, blueprintRequestId: String?, requestId: String?, deploymentId: String?
  ) async throws -> StageRecord {
    try await base.recordSubmitted(
      run: run, stage: stage, blueprintRequestId: blueprintRequestId, requestId: requestId,
      deploymentId: deploymentId)
  }

  @discardableResult
  public func recordStageStatus(
    run: RunID, stage: String, to status: StageStatus, requestId: String?, deploymentId: String?
  ) async throws -> StageRecord {
    try await base.recordStageStatus(
      run: run, stage: stage, to: status, requestId: requestId, deploymentId: deploymentId)
  }

  @discardableResult
  public func recordStageResult(
    run: RunID, stage: String, outputs: JSONValue, resources: JSONValue
  ) async throws -> StageRecord {
    try await base.recordStageResult(
      run: run, stage: stage, outputs: redactor.redact(outputs), resources: redactor.redact(resources))
  }

  @discardableResult
  public func recordStageFailure(run: RunID, stage: String, error: RecordedError) async throws -> StageRecord {
    try await base.recordStageFailure(run: run, stage: stage, error: redact(error))
  }

  public func stage(run: RunID, name: String) async throws -> StageRecord? {
    try await base.stage(run: run, name: name)
  }

  public func stages(of run: RunID) async throws -> [StageRecord] { try await base.stages(of: run) }

  public func stagesNeedingReconciliation(run: RunID) async throws -> [StageRecord] {
    try await base.stagesNeedingReconciliation(run: run)
  }

  // MARK: Rollback and destroy

  @discardableResult
  public func recordDeleteRequest(
    run: RunID, stage: String, purpose: DeleteRequestRecord.Purpose, deleteRequestId: String, deploymentId: String?
  ) async throws -> DeleteRequestRecord {
    try await base.recordDeleteRequest(
      run: run, stage: stage, purpose: purpose, deleteRequestId: deleteRequestId, deploymentId: deploymentId)
  }

  @discardableResult
  public func updateDeleteRequest(
    run: RunID, stage: String, deleteRequestId: String, status: DeleteRequestRecord.Status, error: RecordedError?
  ) async throws -> DeleteRequestRecord {
    try await base.updateDeleteRequest(
      run: run, stage: stage, deleteRequestId: deleteRequestId, status: status, error: error.map(redact))
  }

  public func deleteRequests(of run: RunID) async throws -> [DeleteRequestRecord] {
    try await base.deleteRequests(of: run)
  }

  // MARK: Events

  @discardableResult
  public func appendEvent(
    run: RunID, stage: String?, kind: String, message: String, data: JSONValue?
  ) async throws -> EventRecord {
    try await base.appendEvent(
      run: run, stage: stage, kind: kind, message: redactor.redact(message), data: data.map { redactor.redact($0) })
  }

  public func events(of run: RunID, after sequence: Int64?) async throws -> [EventRecord] {
    try await base.events(of: run, after: sequence)
  }

  // MARK: Environments

  @discardableResult
  public func claimEnvironment(_ name: String, planName: String, run: RunID) async throws -> EnvironmentRecord {
    try await base.claimEnvironment(name, planName: planName, run: run)
  }

  public func environment(_ name: String) async throws -> EnvironmentRecord? { try await base.environment(name) }

  public func environments() async throws -> [EnvironmentRecord] { try await base.environments() }

  public func environmentStages(_ environment: String) async throws -> [EnvironmentStageState] {
    try await base.environmentStages(environment)
  }

  /// Inputs and outputs are redacted (secret inputs already arrive as digests); the template text is
  /// kept as written, since a rollback sends it back.
  public func recordApplied(environment: String, _ applied: AppliedStage) async throws {
    var applied = applied
    applied.inputs = applied.inputs.mapValues { redactor.redact($0) }
    applied.outputs = applied.outputs.mapValues { redactor.redact($0) }
    try await base.recordApplied(environment: environment, applied)
  }

  public func removeApplied(environment: String, stage: String, run: RunID) async throws {
    try await base.removeApplied(environment: environment, stage: stage, run: run)
  }

  @discardableResult
  public func recordStageOperation(
    run: RunID, stage: String, operation: StageOperation, baselineRequestId: String?
  ) async throws -> StageRecord {
    try await base.recordStageOperation(
      run: run, stage: stage, operation: operation, baselineRequestId: baselineRequestId)
  }

  @discardableResult
  public func recordStageUnchanged(
    run: RunID, stage: String, deploymentName: String, deploymentId: String, projectId: String,
    outputs: JSONValue, resources: JSONValue
  ) async throws -> StageRecord {
    try await base.recordStageUnchanged(
      run: run, stage: stage, deploymentName: deploymentName, deploymentId: deploymentId, projectId: projectId,
      outputs: redactor.redact(outputs), resources: redactor.redact(resources))
  }

  public func close() async throws { try await base.close() }
}
