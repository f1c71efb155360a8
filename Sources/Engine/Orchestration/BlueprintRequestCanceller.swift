import VRAClient
import VRAModels

/// Cancels a deployment's blueprint request in vRA: the one whose id the store holds, else the
/// deployment's latest (a stage reconciled by name after a crash knows only its deployment).
/// A request that already ended, which vRA answers with a validation error or a conflict, counts
/// as cancelled: nothing of it is left running. Used by Ctrl-C, stage timeouts and `vra-engine cancel`.
struct BlueprintRequestCanceller: Sendable {
  let client: VRAClient

  /// - Returns: false when there was no request to cancel.
  /// - Throws: what vRA answered when it refused the lookup or the cancel for another reason.
  func cancel(id: String?, deploymentId: String?) async throws -> Bool {
    var id = id
    if id == nil, let deploymentId {
      id = try await client.blueprintRequests(deploymentId: deploymentId, pageSize: 10).collect().first?.id
    }
    guard let id else { return false }
    do {
      try await client.cancelBlueprintRequest(id: id)
    } catch let error as VRAError where ["validation", "conflict"].contains(error.errorClass.name) {
      // Already finished: nothing left to cancel.
    }
    return true
  }
}
