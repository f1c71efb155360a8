import Foundation
import SQLKit
import VRAModels

/// The store's statements, as SQLKit builders (portable across backends), and row decoding.
/// Called inside `SQLStateStore.read` / `.write`, never on their own.
enum StateQueries {
  // MARK: Runs

  static func fetchRun(_ db: any SQLDatabase, _ id: RunID) async throws -> RunRecord? {
    try await db.select().column("*").from(StateTable.runs).where("id", .equal, id.rawValue).first()
      .map(decodeRun)
  }

  static func fetchRuns(_ db: any SQLDatabase, limit: Int) async throws -> [RunRecord] {
    try await db.select().column("*").from(StateTable.runs)
      .orderBy("started_at", .descending).orderBy("id", .descending)
      .limit(max(0, limit))
      .all().map(decodeRun)
  }

  static func insertRun(_ db: any SQLDatabase, _ run: RunRecord) async throws {
    var columns = [
      "id", "plan_name", "plan_path", "plan_digest", "status", "started_at", "finished_at", "options", "updated_at",
      "target",
    ]
    var values: [any SQLExpression] = [
      SQLBind(run.id.rawValue), SQLBind(run.planName), SQLBind(run.planPath), SQLBind(run.planDigest),
      SQLBind(run.status.rawValue), SQLBind(StoredValues.milliseconds(run.startedAt)),
      SQLBind(run.finishedAt.map(StoredValues.milliseconds)), SQLBind(try StoredValues.encode(run.options)),
      SQLBind(StoredValues.milliseconds(run.startedAt)), SQLBind(try StoredValues.encode(run.target)),
    ]
    if let scope = run.scope {
      // Only a service's runs have a scope (migration 4); the CLI's leave the columns NULL.
      columns += ["scope", "tenant"]
      values += [SQLBind(try StoredValues.encode(scope)), SQLBind(scope.tenant)]
    }
    try await db.insert(into: StateTable.runs).columns(columns).values(values).run()
  }

  /// Writes the run's lease, epoch and cancel request.
  static func updateRunOwnership(_ db: any SQLDatabase, _ run: RunRecord, at now: Date) async throws {
    try await db.update(StateTable.runs)
      .set("lease_owner", to: try StoredValues.encode(run.lease?.owner))
      .set("lease_expires_at", to: run.lease.map { StoredValues.milliseconds($0.expiresAt) })
      .set("lease_epoch", to: run.epoch)
      .set("cancel_requested_at", to: run.cancelRequestedAt.map(StoredValues.milliseconds))
      .set("updated_at", to: StoredValues.milliseconds(now))
      .where("id", .equal, run.id.rawValue)
      .run()
  }

  static func deleteRun(_ db: any SQLDatabase, _ id: RunID) async throws {
    for table in [StateTable.deleteRequests, StateTable.events, StateTable.stages, StateTable.runBundles] {
      try await db.delete(from: table).where("run_id", .equal, id.rawValue).run()
    }
    try await db.delete(from: StateTable.runs).where("id", .equal, id.rawValue).run()
  }

  static func updateRunStatus(_ db: any SQLDatabase, _ run: RunRecord, at now: Date) async throws {
    try await db.update(StateTable.runs)
      .set("status", to: run.status.rawValue)
      .set("finished_at", to: run.finishedAt.map(StoredValues.milliseconds))
      .set("updated_at", to: StoredValues.milliseconds(now))
      .where("id", .equal, run.id.rawValue)
      .run()
  }

  static func decodeRun(_ row: any SQLRow) throws -> RunRecord {
    let table = StateTable.runs
    let id = RunID(rawValue: try row.decode(column: "id", as: String.self))
    let epoch = try row.decode(column: "lease_epoch", as: Int64.self)
    let owner = try StoredValues.decode(
      LeaseOwner.self, from: try row.decode(column: "lease_owner", as: String?.self), table: table)
    let expires = try row.decode(column: "lease_expires_at", as: Int64?.self).map(StoredValues.date(milliseconds:))
    var lease: RunLease?
    if let owner, let expires { lease = RunLease(runId: id, owner: owner, epoch: epoch, expiresAt: expires) }
    return RunRecord(
      id: id,
      planName: try row.decode(column: "plan_name", as: String.self),
      planPath: try row.decode(column: "plan_path", as: String.self),
      planDigest: try row.decode(column: "plan_digest", as: String.self),
      status: try decodeEnum(RunStatus.self, row, "status", table: table),
      startedAt: StoredValues.date(milliseconds: try row.decode(column: "started_at", as: Int64.self)),
      finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(StoredValues.date(milliseconds:)),
      options: try StoredValues.decode(
        JSONValue.self, from: try row.decode(column: "options", as: String.self), table: table),
      target: try StoredValues.decode(
        RunTarget.self, from: try row.decode(column: "target", as: String?.self), table: table),
      lease: lease,
      cancelRequestedAt: try row.decode(column: "cancel_requested_at", as: Int64?.self)
        .map(StoredValues.date(milliseconds:)),
      epoch: epoch,
      // A file read before migration 4 has no scope column: its runs are the CLI's.
      scope: row.contains(column: "scope")
        ? try StoredValues.decode(RunScope.self, from: try row.decode(column: "scope", as: String?.self), table: table)
        : nil)
  }

  // MARK: Stages

  static func fetchStage(_ db: any SQLDatabase, run: RunID, name: String) async throws -> StageRecord? {
    try await db.select().column("*").from(StateTable.stages)
      .where("run_id", .equal, run.rawValue).where("name", .equal, name)
      .first().map(decodeStage)
  }

  static func fetchStages(
    _ db: any SQLDatabase, run: RunID, status: StageStatus? = nil
  ) async throws
    -> [StageRecord]
  {
    var query = db.select().column("*").from(StateTable.stages).where("run_id", .equal, run.rawValue)
    if let status { query = query.where("status", .equal, status.rawValue) }
    return try await query.orderBy("ordinal").all().map(decodeStage)
  }

  static func insertStage(_ db: any SQLDatabase, _ stage: StageRecord, ordinal: Int) async throws {
    try await db.insert(into: StateTable.stages)
      .columns(
        "run_id", "name", "ordinal", "status", "deployment_name", "deployment_id", "request_id",
        "blueprint_request_id", "project_id", "attempt", "outputs", "resources", "error", "updated_at"
      )
      .values(
        SQLBind(stage.runId.rawValue), SQLBind(stage.name), SQLBind(ordinal), SQLBind(stage.status.rawValue),
        SQLBind(stage.deploymentName), SQLBind(stage.deploymentId), SQLBind(stage.requestId),
        SQLBind(stage.blueprintRequestId), SQLBind(stage.projectId), SQLBind(stage.attempt),
        SQLBind(try StoredValues.encode(stage.outputs)), SQLBind(try StoredValues.encode(stage.resources)),
        SQLBind(try StoredValues.encode(stage.error)), SQLBind(StoredValues.milliseconds(stage.updatedAt))
      )
      .run()
  }

  /// Writes every mutable column of `stage`.
  static func saveStage(_ db: any SQLDatabase, _ stage: StageRecord) async throws {
    var update = db.update(StateTable.stages)
    if let operation = stage.operation {
      // Only environment runs have one (migration 7); a file built by older steps has no such column.
      update = update.set("operation", to: operation.rawValue).set("baseline_request_id", to: stage.baselineRequestId)
    }
    try await update
      .set("status", to: stage.status.rawValue)
      .set("deployment_name", to: stage.deploymentName)
      .set("deployment_id", to: stage.deploymentId)
      .set("request_id", to: stage.requestId)
      .set("blueprint_request_id", to: stage.blueprintRequestId)
      .set("project_id", to: stage.projectId)
      .set("attempt", to: stage.attempt)
      .set("outputs", to: try StoredValues.encode(stage.outputs))
      .set("resources", to: try StoredValues.encode(stage.resources))
      .set("error", to: try StoredValues.encode(stage.error))
      .set("updated_at", to: StoredValues.milliseconds(stage.updatedAt))
      .where("run_id", .equal, stage.runId.rawValue).where("name", .equal, stage.name)
      .run()
  }

  static func decodeStage(_ row: any SQLRow) throws -> StageRecord {
    let table = StateTable.stages
    return StageRecord(
      runId: RunID(rawValue: try row.decode(column: "run_id", as: String.self)),
      name: try row.decode(column: "name", as: String.self),
      status: try decodeEnum(StageStatus.self, row, "status", table: table),
      deploymentName: try row.decode(column: "deployment_name", as: String?.self),
      deploymentId: try row.decode(column: "deployment_id", as: String?.self),
      requestId: try row.decode(column: "request_id", as: String?.self),
      blueprintRequestId: try row.decode(column: "blueprint_request_id", as: String?.self),
      projectId: try row.decode(column: "project_id", as: String?.self),
      attempt: try row.decode(column: "attempt", as: Int.self),
      outputs: try StoredValues.decode(
        JSONValue.self, from: try row.decode(column: "outputs", as: String?.self), table: table),
      resources: try StoredValues.decode(
        JSONValue.self, from: try row.decode(column: "resources", as: String?.self), table: table),
      error: try StoredValues.decode(
        RecordedError.self, from: try row.decode(column: "error", as: String?.self), table: table),
      // Absent before migration 7 (tests build files with older steps only).
      operation: (try? row.decode(column: "operation", as: String?.self)).flatMap(StageOperation.init(rawValue:)),
      baselineRequestId: try? row.decode(column: "baseline_request_id", as: String?.self),
      updatedAt: StoredValues.date(milliseconds: try row.decode(column: "updated_at", as: Int64.self)))
  }

  // MARK: Events

  static func insertEvent(
    _ db: any SQLDatabase, run: RunID, stage: String?, at: Date, kind: String, message: String, data: JSONValue?
  ) async throws -> EventRecord {
    var columns = ["run_id", "stage_name", "at", "kind", "message", "data"]
    var values: [any SQLExpression] = [
      SQLBind(run.rawValue), SQLBind(stage), SQLBind(StoredValues.milliseconds(at)), SQLBind(kind),
      SQLBind(message), SQLBind(try StoredValues.encode(data)),
    ]
    if let writer = EventWriter.current {
      // Only writes under a lease name their writer (migration 6); the rest leave the columns NULL.
      columns += ["writer", "writer_epoch"]
      values += [SQLBind(writer.owner), SQLBind(writer.epoch)]
    }
    let row = try await db.insert(into: StateTable.events).columns(columns).values(values)
      .returning("seq")
      .first()
    guard let row else {
      throw StateStoreError.database(operation: "appending an event", detail: "no sequence number returned")
    }
    return EventRecord(
      sequence: try row.decode(column: "seq", as: Int64.self), runId: run, stage: stage, at: at, kind: kind,
      message: message, data: data)
  }

  static func fetchEvents(_ db: any SQLDatabase, run: RunID, after: Int64?) async throws -> [EventRecord] {
    var query = db.select().column("*").from(StateTable.events).where("run_id", .equal, run.rawValue)
    if let after { query = query.where("seq", .greaterThan, after) }
    return try await query.orderBy("seq").all().map(decodeEvent)
  }

  static func decodeEvent(_ row: any SQLRow) throws -> EventRecord {
    EventRecord(
      sequence: try row.decode(column: "seq", as: Int64.self),
      runId: RunID(rawValue: try row.decode(column: "run_id", as: String.self)),
      stage: try row.decode(column: "stage_name", as: String?.self),
      at: StoredValues.date(milliseconds: try row.decode(column: "at", as: Int64.self)),
      kind: try row.decode(column: "kind", as: String.self),
      message: try row.decode(column: "message", as: String.self),
      data: try StoredValues.decode(
        JSONValue.self, from: try row.decode(column: "data", as: String?.self), table: StateTable.events))
  }

  // MARK: Delete requests

  static func fetchDeleteRequest(
    _ db: any SQLDatabase, run: RunID, stage: String, id: String
  ) async throws
    -> DeleteRequestRecord?
  {
    try await db.select().column("*").from(StateTable.deleteRequests)
      .where("run_id", .equal, run.rawValue).where("stage_name", .equal, stage)
      .where("delete_request_id", .equal, id)
      .first().map(decodeDeleteRequest)
  }

  static func fetchDeleteRequests(_ db: any SQLDatabase, run: RunID) async throws -> [DeleteRequestRecord] {
    try await db.select().column("*").from(StateTable.deleteRequests).where("run_id", .equal, run.rawValue)
      .orderBy("requested_at").orderBy("stage_name").orderBy("delete_request_id")
      .all().map(decodeDeleteRequest)
  }

  static func insertDeleteRequest(_ db: any SQLDatabase, _ request: DeleteRequestRecord) async throws {
    try await db.insert(into: StateTable.deleteRequests)
      .columns(
        "run_id", "stage_name", "delete_request_id", "purpose", "deployment_id", "status", "error", "requested_at",
        "updated_at"
      )
      .values(
        SQLBind(request.runId.rawValue), SQLBind(request.stage), SQLBind(request.deleteRequestId),
        SQLBind(request.purpose.rawValue), SQLBind(request.deploymentId), SQLBind(request.status.rawValue),
        SQLBind(try StoredValues.encode(request.error)), SQLBind(StoredValues.milliseconds(request.requestedAt)),
        SQLBind(StoredValues.milliseconds(request.updatedAt))
      )
      .run()
  }

  static func saveDeleteRequest(_ db: any SQLDatabase, _ request: DeleteRequestRecord) async throws {
    try await db.update(StateTable.deleteRequests)
      .set("status", to: request.status.rawValue)
      .set("error", to: try StoredValues.encode(request.error))
      .set("updated_at", to: StoredValues.milliseconds(request.updatedAt))
      .where("run_id", .equal, request.runId.rawValue).where("stage_name", .equal, request.stage)
      .where("delete_request_id", .equal, request.deleteRequestId)
      .run()
  }

  static func decodeDeleteRequest(_ row: any SQLRow) throws -> DeleteRequestRecord {
    let table = StateTable.deleteRequests
    return DeleteRequestRecord(
      runId: RunID(rawValue: try row.decode(column: "run_id", as: String.self)),
      stage: try row.decode(column: "stage_name", as: String.self),
      deleteRequestId: try row.decode(column: "delete_request_id", as: String.self),
      purpose: try decodeEnum(DeleteRequestRecord.Purpose.self, row, "purpose", table: table),
      deploymentId: try row.decode(column: "deployment_id", as: String?.self),
      status: try decodeEnum(DeleteRequestRecord.Status.self, row, "status", table: table),
      error: try StoredValues.decode(
        RecordedError.self, from: try row.decode(column: "error", as: String?.self), table: table),
      requestedAt: StoredValues.date(milliseconds: try row.decode(column: "requested_at", as: Int64.self)),
      updatedAt: StoredValues.date(milliseconds: try row.decode(column: "updated_at", as: Int64.self)))
  }

  // MARK: Helpers

  static func decodeEnum<E: RawRepresentable>(
    _ type: E.Type, _ row: any SQLRow, _ column: String, table: String
  )
    throws -> E where E.RawValue == String
  {
    let raw = try row.decode(column: column, as: String.self)
    guard let value = E(rawValue: raw) else {
      throw StateStoreError.corruptRecord(table: table, detail: "unknown \(column) '\(raw)'")
    }
    return value
  }
}
