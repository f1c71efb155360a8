import Foundation
import SQLKit
import VRAModels

/// What a service needs of the store beyond `StateStore`: runs recorded with their tenant, an
/// idempotency key and the bundle they run from, and listings filtered by tenant.
extension SQLStateStore {
  /// Records a run submitted to a service, atomically with its stages, its `run.created` event and
  /// its bundle; or, when the tenant already submitted `submission.idempotencyKey`, returns that run
  /// untouched (the caller compares the digests). Two submissions racing with one key record one run:
  /// the lookup and the insert are one transaction, and a unique index backs it.
  public func submitRun(
    id: RunID, planName: String, planPath: String, planDigest: String, options: JSONValue, stages: [String],
    target: RunTarget?, submission: RunSubmissionRecord
  ) async throws -> SubmissionOutcome {
    var seen = Set<String>()
    for name in stages where !seen.insert(name).inserted {
      throw StateStoreError.duplicateStage(run: id, stage: name)
    }
    do {
      return try await recordSubmission(
        id: id, planName: planName, planPath: planPath, planDigest: planDigest, options: options, stages: stages,
        target: target, submission: submission)
    } catch {
      // Two replicas raced with one key and the unique index refused the second insert (the
      // lookup cannot see a row not committed yet): the run the first recorded is the answer.
      guard let key = submission.idempotencyKey,
        let (run, digest) = try await submittedRun(tenant: submission.scope.tenant, idempotencyKey: key)
      else { throw error }
      return .replayed(run, requestDigest: digest)
    }
  }

  private func recordSubmission(
    id: RunID, planName: String, planPath: String, planDigest: String, options: JSONValue, stages: [String],
    target: RunTarget?, submission: RunSubmissionRecord
  ) async throws -> SubmissionOutcome {
    try await write("submitting run \(id)") { db, now in
      if let key = submission.idempotencyKey,
        let row = try await db.select().column("*").from(StateTable.runs)
          .where("tenant", .equal, submission.scope.tenant).where("idempotency_key", .equal, key).first()
      {
        let digest = try row.decode(column: "request_digest", as: String?.self) ?? ""
        return .replayed(try StateQueries.decodeRun(row), requestDigest: digest)
      }
      guard try await StateQueries.fetchRun(db, id) == nil else { throw StateStoreError.runAlreadyExists(id) }
      let run = RunRecord(
        id: id, planName: planName, planPath: planPath, planDigest: planDigest, status: .pending, startedAt: now,
        finishedAt: nil, options: options, target: target, scope: submission.scope)
      try await StateQueries.insertRun(db, run)
      try await db.update(StateTable.runs)
        .set("idempotency_key", to: submission.idempotencyKey)
        .set("request_digest", to: submission.requestDigest)
        .where("id", .equal, id.rawValue)
        .run()
      try await db.insert(into: StateTable.runBundles).columns("run_id", "bundle")
        .values(SQLBind(id.rawValue), SQLBind(submission.bundle)).run()
      for (ordinal, name) in stages.enumerated() {
        try await StateQueries.insertStage(
          db, StageRecord(runId: id, name: name, status: .pending, updatedAt: now), ordinal: ordinal)
      }
      _ = try await StateQueries.insertEvent(
        db, run: id, stage: nil, at: now, kind: EventRecord.Kind.runCreated,
        message:
          "run \(id) of plan \(planName) submitted by tenant \(submission.scope.tenant) with \(stages.count) stages",
        data: [
          "plan": .string(planName), "planPath": .string(planPath), "stages": .array(stages.map(JSONValue.string)),
          "tenant": .string(submission.scope.tenant),
        ]
      )
      return .created(run)
    }
  }

  /// The run `tenant` submitted with `key`, and the digest of that request; nil when there is none.
  public func submittedRun(
    tenant: String, idempotencyKey key: String
  ) async throws -> (RunRecord, requestDigest: String)? {
    try await read("looking up an idempotency key") { db in
      guard
        let row = try await db.select().column("*").from(StateTable.runs)
          .where("tenant", .equal, tenant).where("idempotency_key", .equal, key).first()
      else { return nil }
      return (try StateQueries.decodeRun(row), try row.decode(column: "request_digest", as: String?.self) ?? "")
    }
  }

  /// The bundle a submitted run runs from (nil for the CLI's runs).
  public func bundle(of run: RunID) async throws -> String? {
    try await read("reading the bundle of run \(run)") { db in
      try await db.select().column("bundle").from(StateTable.runBundles).where("run_id", .equal, run.rawValue)
        .first(decodingColumn: "bundle", as: String.self)
    }
  }

  /// A page of runs, newest first (by start, then id), filtered as `query` says.
  public func runs(matching query: RunQuery) async throws -> [RunRecord] {
    try await read("listing runs") { db in
      var select = db.select().column("*").from(StateTable.runs)
      if let tenant = query.tenant { select = select.where("tenant", .equal, tenant) }
      if let statuses = query.statuses {
        select = select.where("status", .in, statuses.map(\.rawValue).sorted())
      }
      if let since = query.since {
        select = select.where("started_at", .greaterThanOrEqual, StoredValues.milliseconds(since))
      }
      if let after = query.after {
        let at = StoredValues.milliseconds(after.startedAt)
        select = select.where {
          $0.where("started_at", .lessThan, at)
            .orWhere { $0.where("started_at", .equal, at).where("id", .lessThan, after.id.rawValue) }
        }
      }
      return try await select.orderBy("started_at", .descending).orderBy("id", .descending)
        .limit(max(0, query.limit)).all().map(StateQueries.decodeRun)
    }
  }

  /// The runs of a service not finished yet (any tenant), oldest first: what it starts, queues or
  /// resumes. Runs the CLI started (no tenant) are never picked up.
  public func unfinishedSubmittedRuns() async throws -> [RunRecord] {
    let unfinished: [RunStatus] = [.pending, .running, .cancelling, .destroying]
    return try await read("listing unfinished submitted runs") { db in
      try await db.select().column("*").from(StateTable.runs)
        .where("tenant", .isNot, SQLLiteral.null)
        .where("status", .in, unfinished.map(\.rawValue))
        .orderBy("started_at").orderBy("id")
        .all().map(StateQueries.decodeRun)
    }
  }
}
