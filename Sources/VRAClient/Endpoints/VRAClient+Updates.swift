import Foundation
import VRAModels

extension VRAClient {
  /// `POST /blueprint/api/blueprint-requests` for an existing deployment (`deploymentId` set): an
  /// update in place, or with `plan: true` vRA's what-if of it (a `plan: true` request without
  /// `deploymentId` plans a new deployment).
  ///
  /// An update is never sent twice. After an ambiguous failure (the connection dropped after
  /// sending, a 5xx that may have come after the change) the deployment's blueprint requests are
  /// looked up, and one made by this call is returned instead of sending again. "Made by this call"
  /// means: not a what-if or simulation, not the baseline's own blueprint request, and
  /// - with `baselineRequestId` (the id of the deployment's last deployment request, read just
  ///   before this call): created at or after that request (both times are vRA's clock);
  /// - without it: not among the deployment's blueprint requests listed just before the POST
  ///   (one more call, made only then).
  /// Of those, the newest is returned; when there is none, the update is sent again (within the
  /// retry policy). A 409 after an ambiguous attempt (vRA refuses a second request while the
  /// first runs) is looked up the same way. Pass the latest baseline: an update another client
  /// made after it would be taken for this one.
  ///
  /// A what-if changes nothing, so it is sent with the ordinary retries of an idempotent call.
  public func createUpdateRequest(
    _ request: BlueprintRequest, after baselineRequestId: String?
  ) async throws -> BlueprintRequest {
    if request.plan == true {
      return try await send(.POST, Self.blueprintRequests, body: request, safety: .idempotent)
    }
    guard let deploymentId = request.deploymentId, !deploymentId.isEmpty else {
      throw VRAError(
        .validation(messages: ["deploymentId is required"]), method: "POST", path: Self.blueprintRequests,
        message: "an update request needs the deploymentId of the deployment it updates",
        hint: "use createBlueprintRequest to create a deployment")
    }
    let seenBefore: Set<String>? =
      baselineRequestId == nil
      ? Set(try await blueprintRequests(deploymentId: deploymentId, pageSize: 100).collect().compactMap(\.id)) : nil
    return try await createOnce(
      what: "update request",
      create: {
        try await self.send(.POST, Self.blueprintRequests, body: request, safety: .creating, as: BlueprintRequest.self)
      },
      lookup: {
        try await self.updateRequest(of: deploymentId, after: baselineRequestId, seenBefore: seenBefore)
      })
  }

  /// The newest update blueprint request of the deployment made after the baseline (see
  /// `createUpdateRequest`), or nil.
  func updateRequest(
    of deploymentId: String, after baselineRequestId: String?, seenBefore: Set<String>?
  ) async throws -> BlueprintRequest? {
    var since: Date?
    if let baselineRequestId { since = try await request(id: baselineRequestId).createdAt }
    let candidates = try await blueprintRequests(deploymentId: deploymentId, pageSize: 100).collect().filter {
      candidate in
      guard let id = candidate.id, candidate.plan != true, candidate.simulate != true else { return false }
      if let baselineRequestId, candidate.requestTrackerId == baselineRequestId { return false }
      if let seenBefore, seenBefore.contains(id) { return false }
      if let since { return (candidate.createdAt ?? .distantPast) >= since }
      return true
    }
    return candidates.max { ($0.createdAt ?? .distantPast) < ($1.createdAt ?? .distantPast) }
  }

  /// `GET /blueprint/api/blueprint-requests/{id}/plan?expand=true`: the request's tasks, each with
  /// its properties. vRA answers 404 until a what-if request is FINISHED.
  public func blueprintRequestPlan(id: String) async throws -> BlueprintPlan {
    try await get(
      "\(Self.blueprintRequests)/\(Query.segment(id))/plan", route: "\(Self.blueprintRequests)/{id}/plan",
      query: [("expand", "true")])
  }

  /// `GET /blueprint/api/blueprint-requests/{id}/resources-plan?expand=true`: per resource, why the
  /// request touches it (`resourceReason`) and its old and new properties. 404 until a what-if
  /// request is FINISHED.
  public func blueprintRequestResourcesPlan(id: String) async throws -> BlueprintResourcesPlan {
    try await get(
      "\(Self.blueprintRequests)/\(Query.segment(id))/resources-plan",
      route: "\(Self.blueprintRequests)/{id}/resources-plan", query: [("expand", "true")])
  }
}
