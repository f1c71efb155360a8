import Foundation
import VRAModels

/// `POST /deployment/api/requests/{id}?action=cancel|dismiss`: "Cancel can be submitted on
/// In-progress requests and Dismiss can be submitted on Failed requests" (the spec).
extension SimulatorState {
  enum RequestAction: String { case cancel, dismiss }

  func act(on requestId: String, action: String?, org: String, user: String) throws {
    guard let action, let known = RequestAction(rawValue: action) else {
      throw APIError.badRequest("query parameter 'action' must be 'cancel' or 'dismiss'")
    }
    let now = Date()
    advance(to: now)
    var request = try self.request(requestId, org: org)
    switch known {
    case .cancel:
      guard request.isCancelable else {
        throw APIError(
          .badRequest, "Request '\(requestId)' is \(request.status.rawValue) and cannot be cancelled",
          errorCode: 10400, messageId: "deployment.request.not.cancelable")
      }
      if let id = request.blueprintRequestId, var blueprintRequest = blueprintRequests[id] {
        blueprintRequest.cancelRequestedAt = now
        blueprintRequest.cancelRequestedBy = user
        blueprintRequests[id] = blueprintRequest
      }
      cancelNow(&request, by: user, at: now)
    case .dismiss:
      guard request.status == .failed else {
        throw APIError(
          .badRequest, "Request '\(requestId)' is \(request.status.rawValue); only a FAILED request can be dismissed",
          errorCode: 10400, messageId: "deployment.request.not.dismissable")
      }
      request.dismissed = true
      request.updatedAt = now
      requests[request.id] = request
      if var deployment = deployments[request.deploymentId] {
        deployment.lastUpdatedAt = now
        deployment.lastUpdatedBy = user
        deployments[deployment.id] = deployment
      }
      markChanged()
    }
  }

  /// Ends a running request ABORTED now: what has not happened yet never will.
  func cancelNow(_ request: inout RequestRecord, by user: String, at now: Date) {
    request.steps = Array(request.steps[..<request.nextStep]) + [ScheduledStep(at: now, kind: .aborted(by: user))]
    schedule(request)
    advance(to: now)
  }
}
