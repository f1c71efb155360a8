import Foundation
import RunState
import VRAClient
import VRAModels

/// `vra-engine cancel RUN_ID`, from any process.
///
/// A run that a live process owns (an `apply` still running, on the embedded simulator too) is not
/// touched directly: a cancel request goes into the store, the owner carries it out within one
/// lease check, and this waits for the run to end and reads what vRA answered per stage. A run
/// nobody owns (a crashed `apply`, a `deploy --no-wait`) is cancelled here: its lease is taken, each
/// in-flight request is cancelled in vRA, and each stage is recorded as vRA says it ended.
public struct RunCanceller: Sendable {
  let client: VRAClient
  let store: any StateStore
  let tracking: any RequestTracking
  let lease: LeaseSettings

  public init(
    client: VRAClient, store: any StateStore, tracking: any RequestTracking, lease: LeaseSettings = LeaseSettings()
  ) {
    self.client = client
    self.store = store
    self.tracking = tracking
    self.lease = lease
  }

  public struct Report: Sendable, Hashable {
    /// Who carried the cancel out: another process owning the run, or this one.
    public var carriedOutBy: LeaseOwner?
    /// What vRA answered for each stage that had something in flight, in plan order.
    public var stages: [StageCancellation]
    /// The run's status afterwards.
    public var status: RunStatus

    /// True when vRA refused a cancel: something may still be running.
    public var hasRefusal: Bool { stages.contains { if case .refused = $0.outcome { true } else { false } } }
  }

  /// One stage's cancel, as vRA answered it.
  public struct StageCancellation: Sendable, Hashable {
    public var name: String
    public var outcome: StageCancelOutcome
  }

  public enum Outcome: Sendable, Hashable {
    case cancelled(Report)
    case alreadyFinished(RunStatus)
  }

  /// - Parameter wait: how long to wait for a live owner to carry the request out.
  public func cancel(
    _ runId: RunID, mode: LeaseAcquisition = .ifFree, wait: Duration = .seconds(300)
  ) async throws -> Outcome {
    if let answered = try await Self.askOwner(runId, store: store, wait: wait, grace: max(lease.duration, .seconds(5)))
    {
      return answered
    }
    return try await RunOwnership(store: store, settings: lease).hold(runId, mode: mode) { _ in
      try await cancelHere(runId)
    }
  }

  /// The cancel of a run a live process owns: a request left in the store, carried out by the owner
  /// within one lease check; this waits for the run to end and reads what vRA answered per stage.
  /// Needs only the store (no vRA client, no simulator). Nil when no live process owns the run (or
  /// its owner went away before acting): then the caller cancels it itself.
  ///
  /// An owner whose lease expired but that is not known to be dead may only be slow (a loaded
  /// machine): it gets `grace` to renew and see the request before this gives up on it.
  public static func askOwner(
    _ runId: RunID, store: any StateStore, wait: Duration = .seconds(300), grace: Duration = .seconds(30)
  ) async throws -> Outcome? {
    guard let run = try await store.run(runId) else { throw StateStoreError.unknownRun(runId) }
    guard !run.status.isTerminal else { return .alreadyFinished(run.status) }
    guard let owner = possibleOwner(of: run, grace: grace) else { return nil }
    try await store.requestCancel(run: runId)
    let since = try await store.events(of: runId).last { $0.kind == EventRecord.Kind.cancelRequested }?.sequence
    guard
      let ended = try await waitForOwner(runId, owner: owner, store: store, grace: grace, deadline: .now + wait)
    else {
      return nil
    }
    return .cancelled(try await report(runId, status: ended, since: since, by: owner, store: store))
  }

  /// The lease holder, unless it is known dead or its lease lapsed more than `grace` ago.
  private static func possibleOwner(of run: RunRecord, grace: Duration) -> LeaseOwner? {
    guard let lease = run.lease, !lease.owner.isKnownDead,
      lease.expiresAt.addingTimeInterval(grace.seconds) > Date()
    else { return nil }
    return lease.owner
  }

  /// Polls the store until the owner ended the run (its status), or gave the lease up without
  /// ending it, or died (nil: cancel here).
  private static func waitForOwner(
    _ runId: RunID, owner: LeaseOwner, store: any StateStore, grace: Duration, deadline: ContinuousClock.Instant
  ) async throws -> RunStatus? {
    while ContinuousClock.now < deadline {
      guard let run = try await store.run(runId) else { throw StateStoreError.unknownRun(runId) }
      if !run.status.isActive && run.status != .pending { return run.status }
      guard let current = possibleOwner(of: run, grace: grace), current.id == owner.id else { return nil }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw StageFailure(
      message: "run \(runId) is owned by \(owner), which did not carry out the cancel request in time",
      hint: "the request stays in the store; the owner acts on it at its next lease check")
  }

  /// What the owner recorded: the `stage.cancel` events after the request.
  private static func report(
    _ runId: RunID, status: RunStatus, since: Int64?, by owner: LeaseOwner?, store: any StateStore
  ) async throws -> Report {
    let events = try await store.events(of: runId, after: since)
    var outcomes: [String: StageCancelOutcome] = [:]
    for event in events {
      if let stage = event.stage, let outcome = StageCancelOutcome(event: event) { outcomes[stage] = outcome }
    }
    let order = try await store.stages(of: runId).map(\.name)
    return Report(
      carriedOutBy: owner,
      stages: order.compactMap { name in outcomes[name].map { StageCancellation(name: name, outcome: $0) } },
      status: status)
  }

  /// Cancels every in-flight stage in vRA and records each as vRA says it ended; this process holds the lease.
  private func cancelHere(_ runId: RunID) async throws -> Outcome {
    guard let run = try await store.run(runId) else { throw StateStoreError.unknownRun(runId) }
    guard !run.status.isTerminal else { return .alreadyFinished(run.status) }
    let since = try await store.events(of: runId).last?.sequence
    try await store.updateRunStatus(runId, to: .cancelling)
    var anyCancelled = run.status == .pending
    var anyFailed = false
    let stages = try await store.stages(of: runId)
    for stage in stages {
      switch stage.status {
      case .pending:
        try await store.recordStageStatus(run: runId, stage: stage.name, to: .cancelled)
        anyCancelled = true
      case .submitting, .submitted, .running:
        switch try await cancelInVRA(stage, runId: runId) {
        case .cancelled: anyCancelled = true
        case .failed: anyFailed = true
        case .succeeded: break
        }
      default:
        if stage.status == .failed { anyFailed = true }
        if stage.status == .cancelled || stage.status == .skipped { anyCancelled = true }
      }
    }
    let allSucceeded = try await store.stages(of: runId).allSatisfy { $0.status == .succeeded }
    let status: RunStatus =
      allSucceeded && !stages.isEmpty ? .succeeded : anyCancelled || !anyFailed ? .cancelled : .failed
    try await store.updateRunStatus(runId, to: status)
    return .cancelled(try await Self.report(runId, status: status, since: since, by: nil, store: store))
  }

  private enum StageEnd { case cancelled, succeeded, failed }

  /// The first day-2 action request on the deployment after `baseline` (its newest request when the
  /// stage sent its action). The stage waited for the deployment to be idle and vRA runs one
  /// request at a time on it, so that one is the stage's: the record does not keep the action's id.
  private func firstActionRequest(on deploymentId: String, after baseline: String?) async throws -> String? {
    var first: String?
    // Newest first: everything from the baseline on is older.
    for try await request in client.deploymentRequests(deploymentId: deploymentId, pageSize: 50) {
      if let baseline, request.id == baseline { break }
      if request.actionId != nil, let id = request.id { first = id }
    }
    return first
  }

  /// Cancels the stage's blueprint request (found by deployment name when the submit was cut
  /// short), records vRA's answer, then records the stage as it ended.
  private func cancelInVRA(_ stage: StageRecord, runId: RunID) async throws -> StageEnd {
    var deploymentId = stage.deploymentId
    if deploymentId == nil, let name = stage.deploymentName {
      deploymentId = try await client.deployment(named: name, projectId: stage.projectId)?.id
      if let deploymentId {
        try await store.recordSubmitted(
          run: runId, stage: stage.name, blueprintRequestId: nil, requestId: nil, deploymentId: deploymentId)
      }
    }
    var requestId = stage.requestId
    if stage.operation == .action, requestId == nil, let deploymentId,
      let sent = try await firstActionRequest(on: deploymentId, after: stage.baselineRequestId)
    {
      // Cut short between the action's POST and its answer: unless it is cancelled too, a resume
      // would send the action again while this one still runs.
      requestId = sent
      // The stage is `submitted` now (its deployment was found above): the request id fills in.
      try await store.recordStageStatus(
        run: runId, stage: stage.name, to: .running, requestId: sent, deploymentId: deploymentId)
    }
    let answer: StageCancelOutcome
    do {
      answer = try await StageRequestCanceller(client: client).cancel(
        blueprintRequestId: stage.blueprintRequestId, requestId: requestId, deploymentId: deploymentId,
        kind: .init(stage.operation, blueprintRequestId: stage.blueprintRequestId))
    } catch {
      answer = .refused(StageRunner.failure(from: error).message)
    }
    try await store.appendEvent(
      run: runId, stage: stage.name, kind: EventRecord.Kind.stageCancel, message: "\(stage.name): \(answer)",
      data: answer.eventData)
    if let deploymentId, answer != .nothingToCancel {
      // Follow the request to its end, so the stage is recorded as vRA ended it.
      let end = try? await tracking.waitForEnd(
        deploymentId: deploymentId, projectId: stage.projectId ?? "", requestId: requestId,
        timeout: .seconds(300), progress: { _ in })
      if end?.status == .successful {
        // An action's own request has no outputs: its stage's are the deployment's, as when it is followed.
        _ = try await StageCompletion.record(
          run: runId, stage: stage.name, deploymentId: deploymentId, deploymentName: stage.deploymentName ?? "",
          client: client, store: store, goneIsDone: stage.operation == .action)
        return .succeeded
      }
      if end?.status == .failed {
        try await store.recordStageFailure(
          run: runId, stage: stage.name,
          error: RecordedError(errorClass: .deployment, message: end?.failureMessage ?? "the request failed"))
        return .failed
      }
    }
    try await store.recordStageStatus(run: runId, stage: stage.name, to: .cancelled)
    return .cancelled
  }
}
