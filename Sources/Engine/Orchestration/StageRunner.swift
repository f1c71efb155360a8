import Credentials
import Foundation
import Logging
import RunState
import Tracing
import VRAClient
import VRAModels

/// Runs one stage to its end, writing each step to the state store before acting on it:
/// intent → POST → ids → tracked to the end → outputs. On resume it re-attaches to what the
/// store says was submitted, and reconciles an intent without ids by looking the deployment up
/// by name — never by submitting blindly.
struct StageRunner: Sendable {
  let runId: RunID
  let plan: Plan
  let client: VRAClient
  let store: any StateStore
  let tracking: any RequestTracking
  let catalog: VRACatalog
  let results: UpstreamOutputs
  let environment: [String: String]
  let secrets: PlanSecrets
  let emit: @Sendable (RunEvent) -> Void
  let logger: Logger
  let tracer: any Tracer
  /// False: stop once vRA accepted the request (ids recorded) and leave the stage `submitted`.
  var waitForCompletion = true
  /// Whether the run was told to stop, and why (a cancel, or a lease lost to another process).
  var control = RunControl()
  /// The environment the run applies (`apply --env`): stages converge instead of always creating.
  var environmentName: String?
  /// Runs when a followed request succeeded, before the stage is recorded succeeded (set per stage
  /// of an environment run: it records what the stage applied).
  var beforeSuccess: (@Sendable (Deployment, StageOutputs) async throws -> Void)?

  /// Runs the stage inside its `vra-engine.stage` span: the client's calls made for it (in this
  /// task or its child tasks) become the span's children.
  func run(_ stage: PlanStage) async -> StageOutcome {
    await tracer.withAnySpan(EngineSpans.stage, ofKind: .internal) { span in
      span.attributes[EngineSpans.Key.runId] = runId.rawValue
      span.attributes[EngineSpans.Key.stageName] = stage.name
      if let project = plan.project(for: stage) { span.attributes[EngineSpans.Key.project] = project }
      if let org = plan.placement(for: stage).org { span.attributes[EngineSpans.Key.org] = org }
      let outcome = await outcome(of: stage, span: span)
      span.attributes[EngineSpans.Key.stageResult] = StageMetrics.result(of: outcome)
      return outcome
    }
  }

  private func outcome(of stage: PlanStage, span: any Span) async -> StageOutcome {
    do {
      // An action stage deploys nothing: it acts the same in an environment run.
      if let action = stage.source.action { return try await act(stage, action, span: span) }
      // A check stage sends nothing to vRA and has no deployment to converge.
      if let check = stage.source.check { return try await self.check(stage, check, span: span) }
      if let environmentName { return try await converge(stage, environment: environmentName, span: span) }
      return try await attempt(stage, span: span)
    } catch {
      if case .leaseLost? = error as? StateStoreError { control.stop(.leaseLost) }
      if control.stopsWithoutActing {
        // Another process owns the run now, or will (handed back): it decides; nothing more is sent
        // or written from here.
        return .cancelled
      }
      if Task.isCancelled || error is CancellationError || (error as? VRAError)?.errorClass == .cancelled {
        return await cancelled(stage)
      }
      let failure = Self.failure(from: error)
      // The message is the redacted one the store and the logs get; the class is low-cardinality.
      span.recordError(failure)
      let failureClass = FailureClass(of: error)
      span.attributes[EngineSpans.Key.errorType] = failureClass.rawValue
      span.setStatus(SpanStatus(code: .error, message: failureClass.rawValue))
      do {
        try await store.recordStageFailure(
          run: runId, stage: stage.name,
          error: RecordedError(errorClass: failureClass, message: failure.message, hint: failure.hint))
      } catch {
        logger.error("could not record the stage failure", metadata: ["error": "\(error)"])
      }
      emit(.stage(stage.name, .failed, detail: failure.description))
      return .failed(failure.description)
    }
  }

  func attempt(_ stage: PlanStage, span: any Span) async throws -> StageOutcome {
    let context = ResolutionContext(runId: runId, environment: environment, stageResults: await results.all)
    let deploymentName = try PlanResolver.resolveDeploymentName(of: stage, in: context)
    var inputs = try PlanResolver.resolveInputs(of: stage, in: context)
    inputs.merge(secrets.inputs(for: stage)) { _, secret in secret }
    // An encrypted input's value may come from the plan or another stage: known only now.
    for input in stage.source.template?.inputs ?? [] where input.isEncrypted {
      if case .string(let value)? = inputs[input.name] { client.redactor.register(Secret(value)) }
    }
    guard let projectName = plan.project(for: stage) else {
      throw StageFailure(message: "stage '\(stage.name)' names no project", hint: "set defaults.project or project")
    }
    let projectId = try await catalog.projectId(projectName)
    let retries = plan.retries(for: stage)
    var record = try await store.stage(run: runId, name: stage.name)
    var attempt = max(record?.attempt ?? 0, 1)

    while true {
      try Task.checkCancellation()
      let submission: Submission
      if let record, let reattached = try await reattach(record, deploymentName: deploymentName, projectId: projectId) {
        submission = reattached
      } else {
        if let record, [.pending, .failed, .cancelled].contains(record.status), let leftover = record.deploymentId {
          // A resumed stage that failed or was cancelled (reset to pending): its deployment keeps the
          // name in vRA, so it goes first (as between two attempts), or the new request would be
          // refused as a duplicate.
          logger.notice(
            "removing the deployment of the earlier attempt before submitting again",
            metadata: ["stage": "\(stage.name)", "deployment": "\(leftover)"])
          try await control.confirmLease(of: runId)
          try await DeploymentRemover(client: client, tracking: tracking)
            .remove(deploymentId: leftover, projectId: record.projectId ?? projectId)
        }
        let submitter = StageSubmitter(client: client, catalog: catalog)
        let request = try await submitter.request(
          for: .init(
            source: stage.source, deploymentName: deploymentName, projectId: projectId, inputs: inputs,
            reason: StageRequest.Order.reason(runId: runId, stage: stage.name)))
        // The intent is the last write before the POST (nothing is looked up in between): it is
        // refused when this process no longer holds the run, so a stalled owner sends nothing.
        try await store.recordIntent(
          run: runId, stage: stage.name, deploymentName: deploymentName, projectId: projectId, attempt: attempt)
        emit(.stage(stage.name, .submitting, detail: deploymentName))
        try await control.confirmLease(of: runId)
        submission = try await submitter.send(request)
        try await store.recordSubmitted(
          run: runId, stage: stage.name, blueprintRequestId: submission.blueprintRequestId,
          requestId: submission.requestId, deploymentId: submission.deploymentId)
      }
      EngineSpans.record(submission, on: span)
      guard waitForCompletion else {
        emit(
          .stage(stage.name, .submitted, detail: "\(deploymentName) accepted: deployment \(submission.deploymentId)"))
        return .submitted
      }
      let followed = try await follow(
        stage, submission: submission, deploymentName: deploymentName, projectId: projectId, span: span)
      guard case .failed(let reason, let requestId) = followed else { return .succeeded }
      guard attempt <= retries else {
        throw StageFailure(message: reason, requestId: requestId)
      }
      // A failed deployment keeps its name in vRA; it goes before the next attempt reuses the name.
      logger.warning(
        "stage failed, retrying", metadata: ["stage": "\(stage.name)", "attempt": "\(attempt)", "reason": "\(reason)"])
      try await store.recordStageFailure(
        run: runId, stage: stage.name, error: RecordedError(errorClass: .deployment, message: reason))
      try await control.confirmLease(of: runId)
      try await DeploymentRemover(client: client, tracking: tracking)
        .remove(deploymentId: submission.deploymentId, projectId: projectId)
      attempt += 1
      record = nil
    }
  }

  /// How a followed request ended.
  enum Followed: Sendable {
    /// Recorded succeeded with its outputs.
    case succeeded
    case failed(reason: String, requestId: String?)
  }

  /// Follows a submitted stage's request to its end; on success records the outputs.
  /// - Throws: `CancellationError` when vRA aborted it; the timeout's `StageFailure` (request cancelled).
  func follow(
    _ stage: PlanStage, submission: Submission, deploymentName: String, projectId: String, span: any Span
  ) async throws -> Followed {
    try await store.recordStageStatus(
      run: runId, stage: stage.name, to: .running, requestId: submission.requestId,
      deploymentId: submission.deploymentId)
    emit(.stage(stage.name, .running, detail: deploymentName))

    let end: TrackedUpdate
    do {
      end = try await waitForEnd(stage, submission: submission, projectId: projectId)
    } catch let expiry as RequestDeadlines.Expiry {
      throw await timedOut(stage, expiry, submission: submission)
    } catch let error as TrackerError {
      guard case .timedOut(_, let after) = error else { throw error }
      throw await timedOut(stage, .timeout(after), submission: submission)
    }
    if let requestId = end.requestId { span.attributes[EngineSpans.Key.requestId] = requestId }
    if submission.requestId == nil, let requestId = end.requestId {
      // Blueprint requests name the deployment request only once it exists; keep it for the report.
      try await store.recordStageStatus(
        run: runId, stage: stage.name, to: .running, requestId: requestId, deploymentId: submission.deploymentId)
    }
    if end.status == .aborted {
      // Cancelled in vRA (`vra-engine cancel`, or someone in the vRA UI): a cancel, not a failure.
      throw CancellationError()
    }
    if end.status == .successful {
      try await finish(stage, deploymentId: submission.deploymentId, deploymentName: deploymentName)
      return .succeeded
    }
    if end.status == .approvalRejected {
      // A person said no: sending it again would ask them again. The stage fails, not retried.
      let reason = end.details.map { "the request was rejected in vRA: \($0)" } ?? "the request was rejected in vRA"
      throw StageFailure(
        message: reason, hint: "ask the approvers, or change the request; then resume the run",
        requestId: end.requestId)
    }
    let reason =
      end.kind == .deploymentNotFound
      ? "deployment \(submission.deploymentId) was deleted outside this run"
      : await FailureReason.explain(
        end.failureMessage ?? "the request ended \(end.status?.rawValue ?? "without a status")",
        requestId: end.requestId, client: client)
    return .failed(reason: reason, requestId: end.requestId)
  }

  /// The submission a resumed stage already has, found from the store or, for an intent
  /// without ids, by the deployment's name in vRA. Nil: nothing was submitted.
  func reattach(
    _ record: StageRecord, deploymentName: String, projectId: String
  ) async throws
    -> Submission?
  {
    switch record.status {
    case .submitted, .running:
      guard let deploymentId = record.deploymentId else { return nil }
      emit(.stage(record.name, .running, detail: "re-attached to \(deploymentId)"))
      return Submission(
        deploymentId: deploymentId, requestId: record.requestId, blueprintRequestId: record.blueprintRequestId)
    case .submitting:
      let name = record.deploymentName ?? deploymentName
      guard let found = try await client.deployment(named: name, projectId: projectId, expand: [.lastRequest]),
        let deploymentId = found.id
      else { return nil }
      let submission = Submission(deploymentId: deploymentId, requestId: found.lastRequest?.id)
      try await store.recordSubmitted(
        run: runId, stage: record.name, blueprintRequestId: nil, requestId: submission.requestId,
        deploymentId: deploymentId)
      emit(.stage(record.name, .submitted, detail: "found \(name) in vRA after an interrupted submit"))
      return submission
    default:
      return nil
    }
  }

  /// Waits for the submission's request to end on two clocks (`RequestDeadlines`): the stage's
  /// `timeout` while vRA works on it, its `approvalTimeout` while it awaits an approval, which is
  /// shown in the progress, the run's events and the logs.
  /// - Throws: `RequestDeadlines.Expiry` when one runs out.
  func waitForEnd(_ stage: PlanStage, submission: Submission, projectId: String) async throws -> TrackedUpdate {
    let deadlines = RequestDeadlines.Shared(
      RequestDeadlines(
        started: .now, timeout: plan.timeout(for: stage), approvalTimeout: plan.approvalTimeout(for: stage)))
    let (transitions, transition) = AsyncStream<RequestDeadlines.Transition>.makeStream()
    return try await withThrowingTaskGroup(of: TrackedUpdate?.self) { group in
      group.addTask { [tracking, emit] in
        defer { transition.finish() }
        return try await tracking.waitForEnd(
          deploymentId: submission.deploymentId, projectId: projectId, requestId: submission.requestId, timeout: nil
        ) { update in
          if let change = deadlines.withLock({ $0.observe(update.status, at: .now) }) { transition.yield(change) }
          emit(.progress(stage.name, completedTasks: update.completedTasks, totalTasks: update.totalTasks))
        }
      }
      group.addTask { [self] in
        for await change in transitions { await announce(change, stage: stage, submission: submission) }
        return nil
      }
      group.addTask {
        // Wakes at the running clock's end, and every second to see which clock runs.
        while true {
          let now = ContinuousClock.now
          let next = deadlines.withLock { $0.nextExpiry() }
          if let next, next.at <= now { throw next.expiry }
          try await Task.sleep(until: min(next?.at ?? now + .seconds(1), now + .seconds(1)))
        }
      }
      defer { group.cancelAll() }
      while let result = try await group.next() {
        if let end = result { return end }
      }
      throw CancellationError()
    }
  }

  /// Tells the table, the run's events and the logs that the stage's request awaits an approval, or got it.
  private func announce(_ change: RequestDeadlines.Transition, stage: PlanStage, submission: Submission) async {
    let message: String
    let data: [String: JSONValue]
    switch change {
    case .approvalRequested(let status):
      message = "awaiting approval in vRA (\(status.rawValue))"
      data = ["state": "awaiting", "status": .string(status.rawValue)]
    case .approvalGranted:
      message = "approved in vRA"
      data = ["state": "approved"]
    }
    logger.notice(
      "\(message)", metadata: ["stage": "\(stage.name)", "request": "\(submission.requestId ?? "?")"])
    emit(.stage(stage.name, .running, detail: message))
    var event = data
    if let requestId = submission.requestId { event["requestId"] = .string(requestId) }
    _ = try? await store.appendEvent(
      run: runId, stage: stage.name, kind: EventRecord.Kind.stageApproval, message: "\(stage.name): \(message)",
      data: .object(event))
  }

  /// A stage past its timeout, or past its approval timeout: its request is cancelled in vRA, so
  /// that nothing goes on provisioning unwatched and the deployment's state is known (the request
  /// ends ABORTED).
  func timedOut(_ stage: PlanStage, _ expiry: RequestDeadlines.Expiry, submission: Submission) async -> StageFailure {
    var cancelled = false
    do {
      let operation = try await store.stage(run: runId, name: stage.name)?.operation
      cancelled =
        try await StageRequestCanceller(client: client).cancel(
          blueprintRequestId: submission.blueprintRequestId, requestId: submission.requestId,
          deploymentId: submission.deploymentId,
          kind: .init(operation, blueprintRequestId: submission.blueprintRequestId)) != .nothingToCancel
    } catch {
      logger.warning(
        "could not cancel the timed-out request",
        metadata: ["deployment": "\(submission.deploymentId)", "error": "\(error)"])
    }
    let fate = cancelled ? "; its request was cancelled in vRA" : "; its request may still be running in vRA"
    switch expiry {
    case .timeout(let after):
      return StageFailure(
        message: "the request did not finish within the stage's timeout of \(after)" + fate,
        hint: "raise `timeout` for the stage (time awaiting approval is not counted)", errorClass: .stageTimeout)
    case .approval(let after):
      return StageFailure(
        message: "the request was not approved within the stage's approvalTimeout of \(after)" + fate,
        hint: "ask the approvers, or raise `approvalTimeout`", errorClass: .stageTimeout)
    }
  }

  /// Reads outputs and resources of a finished deployment and records them.
  func finish(_ stage: PlanStage, deploymentId: String, deploymentName: String) async throws {
    let result = try await StageCompletion.record(
      run: runId, stage: stage.name, deploymentId: deploymentId, deploymentName: deploymentName, client: client,
      store: store, beforeRecording: beforeSuccess, goneIsDone: stage.source.action != nil)
    await results.record(stage.name, result)
    emit(.stage(stage.name, .succeeded, detail: deploymentName))
  }

  /// Cancels a stage the run will not follow although vRA works on it (submitted by an earlier owner).
  func cancelInFlight(_ stage: PlanStage) async -> StageOutcome {
    await cancelled(stage)
  }

  /// Cancels the stage's in-flight request in vRA and records what vRA answered, shielded from
  /// the cancellation that brought us here. A request vRA had already finished is recorded as it
  /// ended (succeeded with its outputs, or failed), not as cancelled.
  func cancelled(_ stage: PlanStage) async -> StageOutcome {
    let name = stage.name
    let outcome = try? await shielded { [self] () async throws -> StageOutcome in
      guard let record = try await store.stage(run: runId, name: name) else { return .cancelled }
      if stage.source.check != nil {
        // Nothing of a check runs in vRA; its probe stopped with the task.
        if record.status.canTransition(to: .cancelled) {
          try await store.recordStageStatus(run: runId, stage: name, to: .cancelled)
        }
        return .cancelled
      }
      var deploymentId = record.deploymentId
      if record.status == .submitting, deploymentId == nil, let deploymentName = record.deploymentName,
        let projectId = record.projectId
      {
        // Interrupted between the POST and its answer: vRA may have the deployment already; find it by name.
        deploymentId = try? await client.deployment(named: deploymentName, projectId: projectId)?.id
        if let deploymentId {
          try await store.recordSubmitted(
            run: runId, stage: name, blueprintRequestId: nil, requestId: nil, deploymentId: deploymentId)
        }
      }
      guard record.status.isInFlight else {
        try await store.recordStageStatus(run: runId, stage: name, to: .cancelled)
        return .cancelled
      }
      let kind = StageRequestCanceller.Kind(record.operation, blueprintRequestId: record.blueprintRequestId)
      var requestId = record.requestId
      if kind == .action, requestId == nil, let deploymentId {
        // Cut short between the POST and its answer: the action's request, if vRA has it.
        requestId = try? await client.sentActionRequest(
          deploymentId: deploymentId, actionId: stage.source.action?.actionId, after: record.baselineRequestId)?.id
        if let requestId {
          // Kept, so the stage's end (cancelled or, if vRA had finished it, succeeded) names its request.
          try await store.recordStageStatus(
            run: runId, stage: name, to: .running, requestId: requestId, deploymentId: deploymentId)
        }
      }
      let answer: StageCancelOutcome
      do {
        answer = try await StageRequestCanceller(client: client).cancel(
          blueprintRequestId: record.blueprintRequestId, requestId: requestId, deploymentId: deploymentId,
          kind: kind)
      } catch {
        logger.warning(
          "could not cancel the blueprint request",
          metadata: ["deployment": "\(deploymentId ?? "?")", "error": "\(error)"])
        answer = .refused(Self.failure(from: error).message)
      }
      try await store.appendEvent(
        run: runId, stage: name, kind: EventRecord.Kind.stageCancel, message: "\(name): \(answer)",
        data: answer.eventData)
      if case .alreadyFinished = answer, let deploymentId,
        let ended = try? await endedRequest(requestId, kind: kind, deploymentId: deploymentId)
      {
        switch ended.status {
        case .successful?:
          try await finish(stage, deploymentId: deploymentId, deploymentName: record.deploymentName ?? "")
          return .succeeded
        case .failed?, .approvalRejected?:
          let reason = ended.details ?? "the request failed before it could be cancelled"
          try await store.recordStageFailure(
            run: runId, stage: name, error: RecordedError(errorClass: .deployment, message: reason))
          emit(.stage(name, .failed, detail: reason))
          return .failed(reason)
        default:
          break
        }
      }
      try await store.recordStageStatus(run: runId, stage: name, to: .cancelled)
      return .cancelled
    }
    if outcome == nil || outcome == .cancelled { emit(.stage(stage.name, .cancelled, detail: nil)) }
    return outcome ?? .cancelled
  }

  /// The request a cancel found already ended: an action's own, else the deployment's last.
  private func endedRequest(
    _ requestId: String?, kind: StageRequestCanceller.Kind, deploymentId: String
  ) async throws -> DeploymentRequest? {
    if kind == .action, let requestId { return try await client.request(id: requestId) }
    return try await client.deployment(id: deploymentId, expand: [.lastRequest]).lastRequest
  }

  static func failure(from error: any Error) -> StageFailure {
    switch error {
    case let failure as StageFailure: failure
    case let vra as VRAError: StageFailure(message: vra.message, hint: vra.hint)
    default: StageFailure(message: "\(error)")
    }
  }
}
