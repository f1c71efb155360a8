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

extension SQLStateStore {
  /// Who wrote each of the run's events, in commit order: the lease owner's id and epoch (nil for
  /// writes made under no lease). Along a run, epochs never go down: no process writes after
  /// another took the run over. Tests check it; the log is the evidence.
  package func eventWriters(of run: RunID) async throws -> [(sequence: Int64, writer: String?, epoch: Int64?)] {
    try await read("reading the writers of run \(run)'s events") { db in
      try await db.select().column("seq").column("writer").column("writer_epoch").from(StateTable.events)
        .where("run_id", .equal, run.rawValue).orderBy("seq")
        .all().map { row in
          (
            try row.decode(column: "seq", as: Int64.self), try row.decode(column: "writer", as: String?.self),
            try row.decode(column: "writer_epoch", as: Int64?.self)
          )
        }
    }
  }
}
