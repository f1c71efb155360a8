import CloudTemplate
import Credentials
import Foundation
import RunState
import Tracing
import VRAClient
import VRAModels

/// An action stage: a day-2 action on a deployment that exists, sent once and followed by its own
/// request id (the deployment's last request could be another's). Written to the store as any
/// stage is: the operation and the deployment's last request before it (the baseline), the
/// intent, the request id, then the end; a resume follows what was sent and never sends twice.
extension StageRunner {
  func act(_ stage: PlanStage, _ action: StageAction, span: any Span) async throws -> StageOutcome {
    let context = ResolutionContext(runId: runId, environment: environment, stageResults: await results.all)
    var inputs = try PlanResolver.resolveInputs(of: stage, in: context)
    inputs.merge(secrets.inputs(for: stage)) { _, secret in secret }
    let target = try await target(of: action, stage: stage, context: context)
    let projectId = try await project(of: target, stage: stage)
    let record = try await store.stage(run: runId, name: stage.name)

    if let record, record.operation == .action, record.status.isInFlight,
      let outcome = try await resumeAction(
        stage, action, record: record, target: target, projectId: projectId, span: span)
    {
      return outcome
    }
    if let record, record.operation == .action, record.status == .pending,
      record.deploymentId == target.deploymentId, let done = record.requestId,
      try await client.request(id: done).status == .successful
    {
      // It went through on this very deployment before a rollback, which cannot undo an action,
      // was cut short or ended the run: a resume takes that request as the stage's, not a second one.
      try await store.recordIntent(
        run: runId, stage: stage.name, deploymentName: target.deploymentName, projectId: projectId,
        attempt: max(record.attempt, 1))
      try await store.recordSubmitted(
        run: runId, stage: stage.name, blueprintRequestId: nil, requestId: done, deploymentId: target.deploymentId)
      emit(.stage(stage.name, .running, detail: "already done by request \(done) on \(target.deploymentName)"))
      try await finish(stage, deploymentId: target.deploymentId, deploymentName: target.deploymentName)
      return .succeeded
    }
    let retries = plan.retries(for: stage)
    var attempt = max(record?.attempt ?? 0, 1)
    let submitter = UpdateSubmitter(client: client, catalog: catalog)
    while true {
      try Task.checkCancellation()
      // vRA runs one request at a time per deployment: the action waits its turn.
      let baseline = try await submitter.idleBaseline(of: target.deploymentId) { request in
        emit(
          .stage(
            stage.name, .running, detail: "waiting for request \(request) in progress on \(target.deploymentName)"))
      }
      let available = try await target.action(action.actionId, client: client)
      if available.valid == false {
        // Not valid now: a request that started since the look above makes it so; else the
        // deployment's state does (a machine already off), which waiting will not change.
        if try await requestInProgress(on: target) { continue }
        throw StageFailure(
          message: "vRA says the action \(action.actionId) is not valid for \(target.deploymentName) in its "
            + "current state",
          hint: "list what is valid now with `vra-engine actions \(target.deploymentName)`", errorClass: .validation)
      }
      // An encrypted input's value may come from the plan or another stage: known only now.
      for name in ActionInputCheck.encryptedInputs(of: available.schema) {
        if case .string(let value)? = inputs[name] { client.redactor.register(Secret(value)) }
      }
      let violations = try ActionInputCheck.violations(of: inputs, against: available.schema, actionId: action.actionId)
      guard violations.isEmpty else {
        throw StageFailure(
          message: "the inputs of \(action.actionId) are refused: \(ActionInputCheck.describe(violations))",
          hint: "the action's input schema: `vra-engine actions \(target.deploymentName) --output json`",
          errorClass: .validation)
      }
      try await store.recordStageOperation(
        run: runId, stage: stage.name, operation: .action, baselineRequestId: baseline)
      try await store.recordIntent(
        run: runId, stage: stage.name, deploymentName: target.deploymentName, projectId: projectId, attempt: attempt)
      emit(.stage(stage.name, .submitting, detail: target.describe(action.actionId)))
      let request = StageRequest(
        .init(
          source: stage.source, deploymentName: target.deploymentName, projectId: projectId, inputs: inputs,
          reason: StageRequest.Order.reason(runId: runId, stage: stage.name)),
        targets: .init(deploymentId: target.deploymentId, resourceId: target.resourceId))
      try await control.confirmLease(of: runId)
      let submission: Submission
      do {
        submission = try await StageSubmitter(client: client, catalog: catalog).send(request)
      } catch let error as VRAError where error.isRequestInProgress {
        // Another request started between the look and the POST: wait for it, then send.
        continue
      }
      try await store.recordSubmitted(
        run: runId, stage: stage.name, blueprintRequestId: nil, requestId: submission.requestId,
        deploymentId: submission.deploymentId)
      EngineSpans.record(submission, on: span)
      guard waitForCompletion else {
        emit(.stage(stage.name, .submitted, detail: "\(target.describe(action.actionId)) accepted"))
        return .submitted
      }
      let followed = try await follow(
        stage, submission: submission, deploymentName: target.deploymentName, projectId: projectId, span: span)
      guard case .failed(let reason, let requestId) = followed else { return .succeeded }
      guard attempt <= retries else {
        throw StageFailure(message: "the action \(action.actionId) failed: \(reason)", requestId: requestId)
      }
      logger.warning(
        "action failed, sending it again",
        metadata: ["stage": "\(stage.name)", "attempt": "\(attempt)", "reason": "\(reason)"])
      try await store.recordStageFailure(
        run: runId, stage: stage.name, error: RecordedError(errorClass: .deployment, message: reason))
      attempt += 1
    }
  }

  /// A resumed action stage: its request followed if vRA has it (by id, or found newer than the
  /// baseline with the action's id); nil when it was never sent.
  private func resumeAction(
    _ stage: PlanStage, _ action: StageAction, record: StageRecord, target: ActionTarget, projectId: String,
    span: any Span
  ) async throws -> StageOutcome? {
    let deploymentId = record.deploymentId ?? target.deploymentId
    var requestId = record.requestId
    if requestId == nil {
      requestId = try await client.sentActionRequest(
        deploymentId: deploymentId, actionId: action.actionId, after: record.baselineRequestId)?.id
      guard requestId != nil else { return nil }
      try await store.recordSubmitted(
        run: runId, stage: stage.name, blueprintRequestId: nil, requestId: requestId, deploymentId: deploymentId)
      emit(.stage(stage.name, .submitted, detail: "found \(target.describe(action.actionId)) in vRA"))
    }
    emit(.stage(stage.name, .running, detail: "re-attached to \(target.describe(action.actionId))"))
    let submission = Submission(deploymentId: deploymentId, requestId: requestId)
    switch try await follow(
      stage, submission: submission, deploymentName: target.deploymentName, projectId: projectId, span: span)
    {
    case .succeeded:
      return .succeeded
    case .failed(let reason, let requestId):
      throw StageFailure(message: "the action \(action.actionId) failed: \(reason)", requestId: requestId)
    }
  }

  /// The deployment (and resource) the action acts on: another stage's, or one named outside the plan.
  private func target(
    of action: StageAction, stage: PlanStage, context: ResolutionContext
  ) async throws
    -> ActionTarget
  {
    switch action.target {
    case .stage(let name):
      guard let upstream = await results.all[name] else {
        throw StageFailure(message: "stage '\(name)', whose deployment the action acts on, has no deployment")
      }
      let project = try await store.stage(run: runId, name: name)?.projectId
      return try await ActionTarget.with(
        resource: action.resource, deploymentId: upstream.deploymentId, name: upstream.deploymentName,
        project: project, client: client)
    case .deployment(let written):
      guard
        case .string(let nameOrId) = try PlanResolver.resolve(
          .string(written), in: context, stage: stage.name, field: "action.deployment")
      else {
        throw StageFailure(message: "the action's deployment of stage '\(stage.name)' is not a name")
      }
      return try await ActionTarget.resolve(deployment: nameOrId, resource: action.resource, client: client)
    }
  }

  /// The project the tracker watches the action's request in: the deployment's, else the stage's.
  private func project(of target: ActionTarget, stage: PlanStage) async throws -> String {
    if let projectId = target.projectId { return projectId }
    if let projectId = try await client.deployment(id: target.deploymentId).projectId { return projectId }
    guard let name = plan.project(for: stage) else {
      throw StageFailure(message: "the deployment \(target.deploymentName) names no project")
    }
    return try await catalog.projectId(name)
  }

  private func requestInProgress(on target: ActionTarget) async throws -> Bool {
    let last = try await client.deployment(id: target.deploymentId, expand: [.lastRequest]).lastRequest
    return last?.status.map { !$0.isTerminal } ?? false
  }
}
