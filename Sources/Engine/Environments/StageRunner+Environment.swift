import Foundation
import RunState
import Tracing
import VRAClient
import VRAModels

/// A stage of an environment run converges: it decides (`StageDecision`) from the plan, what the
/// environment last applied and what vRA has, then sends nothing (unchanged), creates, replaces
/// (delete, then create) or updates in place, and records what it applied.
extension StageRunner {
  func converge(_ stage: PlanStage, environment: String, span: any Span) async throws -> StageOutcome {
    let context = ResolutionContext(runId: runId, environment: self.environment, stageResults: await results.all)
    var made = try DesiredStage.make(
      stage, plan: plan, environment: environment, context: context, secrets: secrets)
    try await made.pinBlueprintContent(catalog: catalog, client: client)
    let desired = made
    // What the stage applied is recorded before the stage is recorded succeeded: a crash between the
    // two leaves it to be followed again on resume, never succeeded with the environment not knowing.
    var runner = self
    runner.beforeSuccess = { [self] deployment, outputs in
      try await self.recordApplied(
        stage, environment: environment, desired: desired, deployment: deployment, outputs: outputs.outputs)
    }
    return try await runner.converge(stage, environment: environment, desired: desired, span: span)
  }

  private func converge(
    _ stage: PlanStage, environment: String, desired: DesiredStage, span: any Span
  ) async throws -> StageOutcome {
    let record = try await store.stage(run: runId, name: stage.name)
    let projectId = try await catalog.projectId(desired.projectName)
    let state = try await store.environmentStages(environment).first { $0.applied.stage == stage.name }

    // Resumed while an update was in flight (or maybe sent): follow it, never send it twice.
    if let record, record.operation == .update, let applied = state?.applied,
      let outcome = try await resumeUpdate(stage, record: record, applied: applied, span: span)
    {
      return outcome
    }
    if let record, record.operation == .create || record.operation == .replace, record.status.isInFlight {
      return try await create(stage, environment: environment, desired: desired, projectId: projectId, span: span)
    }

    let current = state?.applied
    var (drift, deployment): ([DriftFinding], Deployment?) = ([], nil)
    if let current { (drift, deployment) = try await DriftCheck(client: client).check(current) }
    let change = StageDecision.change(desired: desired, projectId: projectId, applied: current, drift: drift)
    logger.info(
      "environment stage decided",
      metadata: [
        "stage": "\(stage.name)", "action": "\(change.action.rawValue)",
        "why": "\(change.reasons.joined(separator: "; "))",
      ])
    switch change.action {
    case .noOp:
      return try await unchanged(stage, applied: current!, deployment: deployment!)
    case .create:
      try await store.recordStageOperation(run: runId, stage: stage.name, operation: .create, baselineRequestId: nil)
      return try await create(stage, environment: environment, desired: desired, projectId: projectId, span: span)
    case .replace:
      try await store.recordStageOperation(run: runId, stage: stage.name, operation: .replace, baselineRequestId: nil)
      emit(.stage(stage.name, .running, detail: "replacing: " + change.reasons.joined(separator: "; ")))
      try await control.confirmLease(of: runId)
      try await DeploymentRemover(client: client, tracking: tracking)
        .remove(deploymentId: current!.deploymentId, projectId: current!.projectId)
      return try await create(stage, environment: environment, desired: desired, projectId: projectId, span: span)
    case .update:
      return try await update(
        stage, environment: environment, desired: desired, applied: current!, projectId: projectId,
        detail: change.reasons.joined(separator: "; "), span: span)
    case .delete, .action, .check:
      return .succeeded  // never decided for a stage of the plan (action and check stages never converge)
    }
  }

  /// Nothing differs: no request; the stage takes the deployment's current outputs.
  private func unchanged(
    _ stage: PlanStage, applied: AppliedStage, deployment: Deployment
  ) async throws -> StageOutcome {
    try await store.recordStageOperation(run: runId, stage: stage.name, operation: .unchanged, baselineRequestId: nil)
    var resources: [String: [String: JSONValue]] = [:]
    for resource in deployment.resources ?? [] { resources[resource.name] = resource.properties ?? [:] }
    // vRA's values (the stored ones are redacted, and later stages may read a secret output), else
    // the stored ones when the last request carries none (a day-2 action made outside).
    let current = deployment.lastRequest?.outputs ?? [:]
    let outputs = current.isEmpty ? applied.outputs : current
    try await store.recordStageUnchanged(
      run: runId, stage: stage.name, deploymentName: applied.deploymentName, deploymentId: applied.deploymentId,
      projectId: applied.projectId, outputs: .object(outputs), resources: .object(resources.mapValues { .object($0) }))
    await results.record(
      stage.name,
      StageOutputs(
        deploymentId: applied.deploymentId, deploymentName: applied.deploymentName, outputs: outputs,
        resources: resources))
    emit(.stage(stage.name, .succeeded, detail: "\(applied.deploymentName) unchanged"))
    return .succeeded
  }

  /// A new deployment (the plain run's create path), then recorded as the environment's.
  private func create(
    _ stage: PlanStage, environment: String, desired: DesiredStage, projectId: String, span: any Span
  ) async throws -> StageOutcome {
    try await attempt(stage, span: span)
  }

  /// An update in place: same deployment, one update request, followed by its own id. A failed update
  /// is sent again (retries) without deleting anything: the deployment is the environment's.
  private func update(
    _ stage: PlanStage, environment: String, desired: DesiredStage, applied: AppliedStage, projectId: String,
    detail: String, span: any Span
  ) async throws -> StageOutcome {
    let retries = plan.retries(for: stage)
    var attempt = max((try await store.stage(run: runId, name: stage.name))?.attempt ?? 0, 1)
    let submitter = UpdateSubmitter(client: client, catalog: catalog)
    while true {
      try Task.checkCancellation()
      // vRA runs one request at a time per deployment: one in progress (a day-2 action, an update made
      // outside) is waited for, not failed on.
      let baseline = try await submitter.idleBaseline(of: applied.deploymentId) { request in
        emit(
          .stage(
            stage.name, .running, detail: "waiting for request \(request) in progress on \(applied.deploymentName)"))
      }
      try await store.recordStageOperation(
        run: runId, stage: stage.name, operation: .update, baselineRequestId: baseline)
      try await store.recordIntent(
        run: runId, stage: stage.name, deploymentName: applied.deploymentName, projectId: projectId, attempt: attempt)
      emit(.stage(stage.name, .submitting, detail: "updating \(applied.deploymentName) in place: \(detail)"))
      try await control.confirmLease(of: runId)
      let submission: Submission
      do {
        submission = try await submitter.send(
          .init(
            deploymentId: applied.deploymentId, projectId: projectId, source: desired.source,
            inputs: desired.sentInputs, reason: StageRequest.Order.reason(runId: runId, stage: stage.name)),
          baseline: baseline)
      } catch let error as VRAError where error.isRequestInProgress {
        // Another request started between the look and the POST: wait for it, then send.
        try await Task.sleep(for: .seconds(1))
        continue
      }
      try await store.recordSubmitted(
        run: runId, stage: stage.name, blueprintRequestId: submission.blueprintRequestId,
        requestId: submission.requestId, deploymentId: submission.deploymentId)
      EngineSpans.record(submission, on: span)
      let followed = try await follow(
        stage, submission: submission, deploymentName: applied.deploymentName, projectId: projectId, span: span)
      guard case .failed(let reason, let requestId) = followed else { return .succeeded }
      guard attempt <= retries else {
        throw StageFailure(message: "the update failed: \(reason)", requestId: requestId)
      }
      logger.warning(
        "update failed, sending it again",
        metadata: ["stage": "\(stage.name)", "attempt": "\(attempt)", "reason": "\(reason)"])
      try await store.recordStageFailure(
        run: runId, stage: stage.name, error: RecordedError(errorClass: .deployment, message: reason))
      attempt += 1
    }
  }

  /// A resumed stage whose update was in flight: followed if vRA has it, nil if it was never sent
  /// (decide and send again).
  private func resumeUpdate(
    _ stage: PlanStage, record: StageRecord, applied: AppliedStage, span: any Span
  ) async throws -> StageOutcome? {
    guard record.status.isInFlight else { return nil }
    let deploymentId = record.deploymentId ?? applied.deploymentId
    var requestId = record.requestId
    if requestId == nil {
      requestId = try await UpdateSubmitter(client: client, catalog: catalog)
        .sentRequest(on: deploymentId, after: record.baselineRequestId)
      guard requestId != nil else { return nil }
      try await store.recordSubmitted(
        run: runId, stage: stage.name, blueprintRequestId: record.blueprintRequestId, requestId: requestId,
        deploymentId: deploymentId)
      emit(.stage(stage.name, .submitted, detail: "found the update of \(applied.deploymentName) in vRA"))
    }
    emit(.stage(stage.name, .running, detail: "re-attached to the update of \(applied.deploymentName)"))
    let submission = Submission(
      deploymentId: deploymentId, requestId: requestId, blueprintRequestId: record.blueprintRequestId)
    switch try await follow(
      stage, submission: submission, deploymentName: applied.deploymentName,
      projectId: record.projectId ?? applied.projectId, span: span)
    {
    case .succeeded:
      return .succeeded
    case .failed(let reason, let requestId):
      throw StageFailure(message: "the update failed: \(reason)", requestId: requestId)
    }
  }

  /// Keeps what the stage now is in the environment: its deployment, source, inputs (secrets as
  /// digests), outputs and resources (name and type, to notice one that disappears outside).
  private func recordApplied(
    _ stage: PlanStage, environment: String, desired: DesiredStage, deployment: Deployment,
    outputs: [String: JSONValue]
  ) async throws {
    guard let record = try await store.stage(run: runId, name: stage.name), let deploymentId = record.deploymentId
    else { return }
    var resources: [String: String] = [:]
    for resource in deployment.resources ?? [] { resources[resource.name] = resource.type }
    try await store.recordApplied(
      environment: environment,
      AppliedStage(
        stage: stage.name, deploymentId: deploymentId, deploymentName: record.deploymentName ?? desired.deploymentName,
        projectId: record.projectId ?? "", source: desired.source, inputs: desired.comparableInputs,
        secretInputs: desired.secretInputs.sorted(), outputs: outputs, resources: resources,
        requestId: record.requestId ?? deployment.lastRequest?.id, runId: runId, appliedAt: Date()))
  }
}
