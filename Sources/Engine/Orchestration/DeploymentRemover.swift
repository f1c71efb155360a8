import VRAClient
import VRAModels

/// Deletes a deployment and waits for the delete request to end: used by rollback, destroy and
/// a stage retry (a failed deployment keeps its name in vRA until it is deleted).
struct DeploymentRemover: Sendable {
  let client: VRAClient
  let tracking: any RequestTracking

  /// - Parameter requested: called with the delete request's id as soon as vRA accepted it, before
  ///   the wait (so a crash during the wait still leaves the id recorded).
  /// - Parameter awaitingApproval: called when the tracker sees the delete await an approval in vRA
  ///   (a delete has no timeout of its own: it waits for the decision; a rejection fails it).
  /// - Returns: the delete request's id, once that request ended successfully; nil when the
  ///   deployment was already gone.
  @discardableResult
  func remove(
    deploymentId: String, projectId: String, afterWaiting: Bool = false,
    awaitingApproval: @escaping @Sendable (RequestStatus) -> Void = { _ in },
    requested: @Sendable (String) async throws -> Void = { _ in }
  ) async throws -> String? {
    let request: DeploymentRequest
    do {
      request = try await client.deleteDeployment(id: deploymentId)
    } catch let error as VRAError where error.errorClass == .notFound {
      return nil  // Already gone: what a delete wants.
    } catch let error as VRAError where error.errorClass == .conflict && !afterWaiting {
      // A request is still running on it (a delete an interrupted run started, a provisioning a
      // cancel is ending): wait for it to end, then delete what is left, if anything.
      guard try await waitUntilIdle(deploymentId) else { return nil }
      return try await remove(
        deploymentId: deploymentId, projectId: projectId, afterWaiting: true, awaitingApproval: awaitingApproval,
        requested: requested)
    }
    if let id = request.id { try await requested(id) }
    // A finished delete makes the deployment vanish, so "not found" is success here.
    while true {
      let end: TrackedUpdate
      do {
        end = try await tracking.waitForEnd(
          deploymentId: deploymentId, projectId: projectId, requestId: request.id, timeout: Self.lookEvery,
          progress: { update in
            if let status = update.status, RequestDeadlines.isApproval(status) { awaitingApproval(status) }
          })
      } catch TrackerError.timedOut {
        // The tracker has not reported the end yet: look at the deployment directly. (Seen in the
        // model-based test: a delete of a deployment whose create was cancelled at once ended
        // without the tracker noticing; this bounds that wait to one look.)
        let deployment: Deployment
        do {
          deployment = try await client.deployment(id: deploymentId, expand: [.lastRequest])
        } catch let error as VRAError where error.errorClass == .notFound {
          return request.id
        }
        guard let last = deployment.lastRequest, last.id == request.id, last.status?.isTerminal == true else {
          continue
        }
        guard last.status == .successful else {
          throw StageFailure(
            message: "deleting deployment \(deploymentId) failed: \(last.details ?? "no reason given")",
            requestId: request.id)
        }
        return request.id
      }
      guard end.kind == .deploymentNotFound || end.status == .successful else {
        throw StageFailure(
          message: "deleting deployment \(deploymentId) failed: \(end.failureMessage ?? "no reason given")",
          requestId: request.id)
      }
      return request.id
    }
  }

  /// How long a delete is left to the tracker before the deployment is looked at directly.
  static let lookEvery: Duration = .seconds(10)

  /// Polls the deployment until its latest request has ended. - Returns: false when it is gone.
  /// (A direct read: the tracker reports changes it sees after a watch starts, and this request
  /// may have ended before.)
  private func waitUntilIdle(_ deploymentId: String) async throws -> Bool {
    while true {
      do {
        let deployment = try await client.deployment(id: deploymentId, expand: [.lastRequest])
        if deployment.lastRequest?.status?.isTerminal ?? true { return true }
      } catch let error as VRAError where error.errorClass == .notFound {
        return false
      }
      try await Task.sleep(for: .seconds(1))  // vRA's own requests take seconds at least
    }
  }
}
