import Foundation
import VRAModels

extension SQLStateStore {
  @discardableResult
  public func appendEvent(
    run: RunID, stage: String?, kind: String, message: String, data: JSONValue?
  ) async throws
    -> EventRecord
  {
    try await write("appending a \(kind) event to run \(run)", run: run) { db, now in
      guard try await StateQueries.fetchRun(db, run) != nil else { throw StateStoreError.unknownRun(run) }
      if let stage, try await StateQueries.fetchStage(db, run: run, name: stage) == nil {
        throw StateStoreError.unknownStage(run: run, stage: stage)
      }
      return try await StateQueries.insertEvent(
        db, run: run, stage: stage, at: now, kind: kind, message: message, data: data)
    }
  }

  public func events(of run: RunID, after sequence: Int64?) async throws -> [EventRecord] {
    try await read("reading the events of run \(run)") { db in
      try await StateQueries.fetchEvents(db, run: run, after: sequence)
    }
  }
}
