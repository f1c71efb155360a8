import Foundation
import VRAModels

extension SQLStateStore {
  @discardableResult
  public func recordDeleteRequest(
    run: RunID, stage: String, purpose: DeleteRequestRecord.Purpose, deleteRequestId: String, deploymentId: String?
  ) async throws -> DeleteRequestRecord {
    guard !deleteRequestId.isEmpty else {
      throw StateStoreError.invalidArgument("a delete request needs its id (stage \(stage) of run \(run))")
    }
    return try await write("recording delete request \(deleteRequestId) (stage \(stage) of run \(run))", run: run) {
      db, now in
      guard try await StateQueries.fetchStage(db, run: run, name: stage) != nil else {
        guard try await StateQueries.fetchRun(db, run) != nil else { throw StateStoreError.unknownRun(run) }
        throw StateStoreError.unknownStage(run: run, stage: stage)
      }
      if let existing = try await StateQueries.fetchDeleteRequest(db, run: run, stage: stage, id: deleteRequestId) {
        return existing
      }
      let request = DeleteRequestRecord(
        runId: run, stage: stage, deleteRequestId: deleteRequestId, purpose: purpose, deploymentId: deploymentId,
        status: .requested, error: nil, requestedAt: now, updatedAt: now)
      try await StateQueries.insertDeleteRequest(db, request)
      var data: [String: JSONValue] = [
        "deleteRequestId": .string(deleteRequestId), "purpose": .string(purpose.rawValue),
        "status": .string(DeleteRequestRecord.Status.requested.rawValue),
      ]
      if let deploymentId { data["deploymentId"] = .string(deploymentId) }
      _ = try await StateQueries.insertEvent(
        db, run: run, stage: stage, at: now, kind: EventRecord.Kind.deleteRequest,
        message: "stage \(stage): \(purpose.rawValue) delete request \(deleteRequestId) sent", data: .object(data))
      return request
    }
  }

  @discardableResult
  public func updateDeleteRequest(
    run: RunID, stage: String, deleteRequestId: String, status: DeleteRequestRecord.Status, error: RecordedError?
  ) async throws -> DeleteRequestRecord {
    try await write("updating delete request \(deleteRequestId) (stage \(stage) of run \(run))", run: run) { db, now in
      guard var request = try await StateQueries.fetchDeleteRequest(db, run: run, stage: stage, id: deleteRequestId)
      else {
        throw StateStoreError.unknownDeleteRequest(run: run, stage: stage, deleteRequestId: deleteRequestId)
      }
      guard request.status == .requested || request.status == status else {
        throw StateStoreError.invalidArgument(
          "delete request \(deleteRequestId) already ended \(request.status.rawValue); it cannot become \(status.rawValue)"
        )
      }
      request.status = status
      request.error = error
      request.updatedAt = now
      try await StateQueries.saveDeleteRequest(db, request)
      var data: [String: JSONValue] = [
        "deleteRequestId": .string(deleteRequestId), "status": .string(status.rawValue),
      ]
      if let error { data["error"] = ["class": .string(error.errorClass.rawValue), "message": .string(error.message)] }
      _ = try await StateQueries.insertEvent(
        db, run: run, stage: stage, at: now, kind: EventRecord.Kind.deleteRequest,
        message: "stage \(stage): delete request \(deleteRequestId) \(status.rawValue)", data: .object(data))
      return request
    }
  }

  public func deleteRequests(of run: RunID) async throws -> [DeleteRequestRecord] {
    try await read("reading the delete requests of run \(run)") { db in
      try await StateQueries.fetchDeleteRequests(db, run: run)
    }
  }
}
