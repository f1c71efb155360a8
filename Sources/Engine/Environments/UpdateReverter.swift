import Foundation
import RunState
import VRAClient
import VRAModels

/// The rollback of an environment run's update: the deployment goes back to what the environment
/// had before the run (its template or version and inputs), by another update in place. Secret
/// inputs are kept as digests only, so one is restored only when the plan's value still has the
/// old digest; otherwise the rollback of that stage fails, saying why.
struct UpdateReverter: Sendable {
  let environment: String
  let runId: RunID
  let plan: Plan
  let secrets: PlanSecrets
  let client: VRAClient
  let store: any StateStore
  let tracking: any RequestTracking

  /// Sends the previous state back and follows it to its end.
  /// - Returns: false when there was nothing to revert (the update never reached vRA).
  func revert(_ record: StageRecord) async throws -> Bool {
    guard record.requestId != nil || record.blueprintRequestId != nil || record.status == .succeeded else {
      return false
    }
    guard let state = try await store.environmentStages(environment).first(where: { $0.applied.stage == record.name }),
      let previous = state.before(runId)
    else {
      throw StageFailure(
        message: "environment \(environment) has no earlier state of stage \(record.name) to return to")
    }
    let inputs = try restoredInputs(previous)
    let projectId = previous.projectId
    let submitter = UpdateSubmitter(client: client, catalog: VRACatalog(client: client))
    let baseline = try await client.deployment(id: previous.deploymentId, expand: [.lastRequest]).lastRequest?.id
    let submission = try await submitter.send(
      .init(
        deploymentId: previous.deploymentId, projectId: projectId, source: previous.source, inputs: inputs,
        reason: "vra-engine run \(runId) stage \(record.name): rollback"),
      baseline: baseline)
    let end = try await tracking.waitForEnd(
      deploymentId: previous.deploymentId, projectId: projectId, requestId: submission.requestId, timeout: nil,
      progress: { _ in })
    guard end.status == .successful else {
      throw StageFailure(
        message: "the rollback update ended \(end.status?.rawValue ?? "without a status")"
          + (end.failureMessage.map { ": \($0)" } ?? ""),
        requestId: end.requestId)
    }
    var restored = previous
    restored.runId = runId
    restored.requestId = end.requestId ?? submission.requestId
    restored.appliedAt = Date()
    try await store.recordApplied(environment: environment, restored)
    return true
  }

  /// The previous inputs to send: as kept, with each secret's value from the plan when its digest matches.
  private func restoredInputs(_ previous: AppliedStage) throws -> [String: JSONValue] {
    var inputs = previous.inputs
    guard !previous.secretInputs.isEmpty else { return inputs }
    let stage = plan.stage(named: previous.stage)
    var candidates = stage.map { secrets.inputs(for: $0) } ?? [:]
    for (name, value) in stage?.inputs ?? [:] where candidates[name] == nil {
      candidates[name] = value
    }
    for name in previous.secretInputs {
      guard let value = candidates[name],
        SecretDigest.of(value, environment: environment, stage: previous.stage, input: name) == previous.inputs[name]
      else {
        throw StageFailure(
          message: "cannot return stage \(previous.stage) to its previous inputs: the secret input \(name) changed "
            + "since, and only its digest was kept",
          hint: "apply the plan with the previous secret value to restore it")
      }
      inputs[name] = value
    }
    return inputs
  }
}
