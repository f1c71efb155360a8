import VRAClient
import VRAModels

/// `vra-engine cancel RUN_ID`, from any process: cancels the run's in-flight blueprint requests
/// through the API, waits for vRA to confirm, and records the run cancelled. An `apply` process
/// still running sees its requests end ABORTED and stops as cancelled too.
public struct RunCanceller: Sendable {
  let client: VRAClient
  let store: any StateStore
  let tracking: any RequestTracking

  public init(client: VRAClient, store: any StateStore, tracking: any RequestTracking) {
    self.client = client
    self.store = store
    self.tracking = tracking
  }

  public enum Outcome: Sendable, Hashable {
    case cancelled(stages: [String])
    case alreadyFinished(RunStatus)
  }

  public func cancel(_ runId: RunID) async throws -> Outcome {
    guard let run = try await store.run(runId) else {
      throw StageFailure(message: "no run \(runId) in the state store")
    }
    guard run.status == .running || run.status == .pending || run.status == .cancelling else {
      return .alreadyFinished(run.status)
    }
    if run.status != .cancelling { try await store.updateRunStatus(runId, to: .cancelling) }
    var cancelled: [String] = []
    for stage in try await store.stages(of: runId) {
      switch stage.status {
      case .pending:
        try await store.recordStageStatus(run: runId, stage: stage.name, to: .cancelled)
      case .submitting, .submitted, .running:
        try await cancelInVRA(stage, runId: runId)
        cancelled.append(stage.name)
      default:
        continue
      }
    }
    if let current = try await store.run(runId), !current.status.isTerminal {
      try await store.updateRunStatus(runId, to: .cancelled)
    }
    return .cancelled(stages: cancelled)
  }

  /// Cancels the stage's blueprint request (found by deployment name when the submit was cut
  /// short), waits until vRA ends it, and records the stage cancelled.
  private func cancelInVRA(_ stage: StageRecord, runId: RunID) async throws {
    var deploymentId = stage.deploymentId
    if deploymentId == nil, let name = stage.deploymentName {
      deploymentId = try await client.deployment(named: name, projectId: stage.projectId)?.id
    }
    _ = try await BlueprintRequestCanceller(client: client).cancel(
      id: stage.blueprintRequestId, deploymentId: deploymentId)
    if let deploymentId, let projectId = stage.projectId {
      _ = try await tracking.waitForEnd(
        deploymentId: deploymentId, projectId: projectId, requestId: stage.requestId, timeout: .seconds(300),
        progress: { _ in })
    }
    if let current = try await store.stage(run: runId, name: stage.name), current.status.canTransition(to: .cancelled) {
      try await store.recordStageStatus(run: runId, stage: stage.name, to: .cancelled)
    }
  }
}
