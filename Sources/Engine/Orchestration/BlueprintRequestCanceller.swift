import VRAClient
import VRAModels

/// Cancels a deployment's blueprint request in vRA: the one whose id the store holds, else the
/// deployment's latest (a stage reconciled by name after a crash knows only its deployment).
/// Used by Ctrl-C, stage timeouts, a cancel request from another process and `vra-engine cancel`.
struct BlueprintRequestCanceller: Sendable {
  let client: VRAClient

  /// What vRA answered. A request that already ended (vRA answers a validation error or a
  /// conflict) is `.alreadyFinished`: nothing of it is left running.
  /// - Throws: what vRA answered when it refused the lookup or the cancel for another reason.
  func cancel(id: String?, deploymentId: String?) async throws -> StageCancelOutcome {
    var id = id
    if id == nil, let deploymentId {
      id = try await client.blueprintRequests(deploymentId: deploymentId, pageSize: 10).collect().first?.id
    }
    guard let id else { return .nothingToCancel }
    do {
      try await client.cancelBlueprintRequest(id: id)
      return .cancelled
    } catch let error as VRAError {
      switch error.errorClass {
      case .validation, .conflict:
        let status = (try? await client.blueprintRequest(id: id))?.status?.rawValue
        return .alreadyFinished(status: status ?? error.message)
      default:
        throw error
      }
    }
  }
}
