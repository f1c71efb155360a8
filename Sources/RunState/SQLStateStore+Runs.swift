import Foundation
import VRAModels

extension SQLStateStore {
  public func createRun(
    id: RunID, planName: String, planPath: String, planDigest: String, options: JSONValue, stages: [String],
    target: RunTarget?
  ) async throws -> RunRecord {
    var seen = Set<String>()
    for name in stages where !seen.insert(name).inserted {
      throw StateStoreError.duplicateStage(run: id, stage: name)
    }
    return try await write("creating run \(id)") { db, now in
      guard try await StateQueries.fetchRun(db, id) == nil else { throw StateStoreError.runAlreadyExists(id) }
      let run = RunRecord(
        id: id, planName: planName, planPath: planPath, planDigest: planDigest, status: .pending, startedAt: now,
        finishedAt: nil, options: options, target: target)
      try await StateQueries.insertRun(db, run)
      for (ordinal, name) in stages.enumerated() {
        try await StateQueries.insertStage(
          db, StageRecord(runId: id, name: name, status: .pending, updatedAt: now), ordinal: ordinal)
      }
      _ = try await StateQueries.insertEvent(
        db, run: id, stage: nil, at: now, kind: EventRecord.Kind.runCreated,
        message: "run \(id) of plan \(planName) created with \(stages.count) stages",
        data: [
          "plan": .string(planName), "planPath": .string(planPath), "stages": .array(stages.map(JSONValue.string)),
        ]
      )
      return run
    }
  }

  @discardableResult
  public func updateRunStatus(_ id: RunID, to status: RunStatus) async throws -> RunRecord {
    try await write("updating run \(id) to \(status)", run: id) { db, now in
      guard var run = try await StateQueries.fetchRun(db, id) else { throw StateStoreError.unknownRun(id) }
      let from = run.status
      guard from.canTransition(to: status) else {
        throw StateStoreError.illegalRunTransition(run: id, from: from, to: status)
      }
      run.status = status
      run.finishedAt = status.isTerminal ? now : nil
      try await StateQueries.updateRunStatus(db, run, at: now)
      _ = try await StateQueries.insertEvent(
        db, run: id, stage: nil, at: now, kind: EventRecord.Kind.runStatus, message: "run \(id): \(from) → \(status)",
        data: ["from": .string(from.rawValue), "to": .string(status.rawValue)])
      return run
    }
  }

  public func run(_ id: RunID) async throws -> RunRecord? {
    try await read("reading run \(id)") { db in try await StateQueries.fetchRun(db, id) }
  }

  public func runs(limit: Int) async throws -> [RunRecord] {
    try await read("listing runs") { db in try await StateQueries.fetchRuns(db, limit: limit) }
  }
}
