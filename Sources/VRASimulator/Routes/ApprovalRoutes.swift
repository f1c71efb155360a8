import Foundation
import Hummingbird
import NIOCore
import VRAModels

/// The approver's side of approval policies, under `/_sim/` like the other simulator controls:
/// list approvals, approve or reject one (with a reason), read or replace the policies.
enum ApprovalRoutes {
  /// Body of approve (optional) and reject: `{"reason": "..."}`; `decidedBy` names the approver
  /// (default: the org's first user).
  struct Decision: Decodable {
    var reason: String?
    var decidedBy: String?
  }

  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    let state = services.state
    router.get("/_sim/approvals") { request, _ -> Response in
      var status: SimulatorApproval.Status?
      if let text = request.query.get("status") {
        guard let known = SimulatorApproval.Status(rawValue: text.uppercased()) else {
          throw APIError.badRequest("status must be PENDING, APPROVED or REJECTED")
        }
        status = known
      }
      await state.advance()
      return try JSONResponse.make(await state.listApprovals(status: status))
    }
    router.post("/_sim/approvals/{approvalId}/approve") { request, context -> Response in
      let decision = try await decode(request) ?? Decision()
      return try JSONResponse.make(
        try await state.decide(
          try context.pathParameter("approvalId"), approve: true, by: decision.decidedBy, reason: decision.reason))
    }
    router.post("/_sim/approvals/{approvalId}/reject") { request, context -> Response in
      let decision = try await decode(request) ?? Decision()
      return try JSONResponse.make(
        try await state.decide(
          try context.pathParameter("approvalId"), approve: false, by: decision.decidedBy, reason: decision.reason))
    }
    router.get("/_sim/approval-policies") { _, _ -> Response in
      try JSONResponse.make(await state.approvalPolicies)
    }
    router.put("/_sim/approval-policies") { request, _ -> Response in
      try await state.setApprovalPolicies(try await request.decodeJSON([ApprovalPolicy].self))
      return try JSONResponse.make(await state.approvalPolicies)
    }
  }

  /// The decision in the body, or nil for an empty body (approving needs no reason).
  private static func decode(_ request: Request) async throws -> Decision? {
    var request = request
    let buffer = try await request.collectBody(upTo: 1024 * 1024)
    guard buffer.readableBytes > 0 else { return nil }
    do {
      return try VRAJSON.makeDecoder().decode(Decision.self, from: Data(buffer: buffer))
    } catch {
      throw APIError.badRequest("malformed JSON body: expected {\"reason\": \"...\"}")
    }
  }
}
