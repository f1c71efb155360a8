import Foundation
import RunState
import VRAClient
import VRAModels

/// Sends an update in place of an existing deployment and learns the deployment request that
/// carries it: a blueprint request with `deploymentId` (template and blueprint stages), or the
/// deployment's `Deployment.Update` action (catalog item stages).
///
/// The request id matters: the deployment's last request before the update (`baseline`) is a
/// finished one, so following "the last request" would end at once; the update is followed by
/// its own id.
struct UpdateSubmitter: Sendable {
  let client: VRAClient
  let catalog: VRACatalog
  /// How long vRA may take to show the update's request on the deployment after accepting it.
  var requestDeadline: Duration = .seconds(60)

  struct Update: Sendable {
    var deploymentId: String
    var projectId: String
    var source: AppliedSource
    var inputs: [String: JSONValue]
    var reason: String
  }

  func send(_ update: Update, baseline: String?) async throws -> Submission {
    switch update.source.kind {
    case .template, .blueprint:
      var request = BlueprintRequest(
        deploymentName: nil, projectId: update.projectId, inputs: update.inputs, reason: update.reason,
        deploymentId: update.deploymentId)
      if update.source.kind == .template {
        request.content = update.source.templateContent
      } else {
        guard let id = try await catalog.blueprint(update.source.name, projectId: update.projectId)?.id else {
          throw StageFailure(message: "no blueprint '\(update.source.name)' in the project")
        }
        request.blueprintId = id
        request.blueprintVersion = update.source.version
      }
      let answer = try await client.createUpdateRequest(request, after: baseline)
      let requestId = try await newRequest(on: update.deploymentId, after: baseline)
      return Submission(deploymentId: update.deploymentId, requestId: requestId, blueprintRequestId: answer.id)
    case .catalogItem:
      let answer = try await client.submitDeploymentAction(
        deploymentId: update.deploymentId,
        ResourceActionRequest(actionId: "Deployment.Update", inputs: update.inputs, reason: update.reason))
      return Submission(deploymentId: update.deploymentId, requestId: answer.id)
    }
  }

  /// The deployment's last request once it is not `baseline` any more (vRA may show it a moment
  /// after accepting the blueprint request).
  func newRequest(on deploymentId: String, after baseline: String?) async throws -> String {
    let deadline = ContinuousClock.now + requestDeadline
    while true {
      let deployment = try await client.deployment(id: deploymentId, expand: [.lastRequest])
      if let id = deployment.lastRequest?.id, id != baseline { return id }
      guard ContinuousClock.now < deadline else {
        throw StageFailure(
          message: "vRA accepted the update of deployment \(deploymentId) but showed no request for it within "
            + "\(requestDeadline)",
          hint: "look at the deployment's requests in vRA; resume the run to follow it")
      }
      try await Task.sleep(for: .milliseconds(500))
    }
  }

  /// The deployment's last request once no request runs on it (waiting, checking every
  /// `idlePoll`, while one does): the baseline an update is told apart from.
  /// - Parameter waiting: called once with the id of a request in progress, when there is one.
  func idleBaseline(
    of deploymentId: String, idlePoll: Duration = .seconds(2), waiting: (String) -> Void = { _ in }
  ) async throws -> String? {
    var told = false
    while true {
      let last = try await client.deployment(id: deploymentId, expand: [.lastRequest]).lastRequest
      guard let last, let status = last.status, !status.isTerminal else { return last?.id }
      if !told {
        waiting(last.id ?? "?")
        told = true
      }
      try await Task.sleep(for: idlePoll)
    }
  }

  /// The request a resumed update sent before the process stopped: the deployment's last request
  /// if it is newer than `baseline`, else nil (nothing was sent).
  func sentRequest(on deploymentId: String, after baseline: String?) async throws -> String? {
    let deployment = try await client.deployment(id: deploymentId, expand: [.lastRequest])
    guard let id = deployment.lastRequest?.id, id != baseline else { return nil }
    return id
  }
}
