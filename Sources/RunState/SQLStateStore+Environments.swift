import Foundation
import SQLKit
import VRAModels

extension SQLStateStore {
  public func claimEnvironment(_ name: String, planName: String, run: RunID) async throws -> EnvironmentRecord {
    // Not fenced by the run's lease (the run may not hold one yet): serialized per environment by
    // its lock, the check of the active run and the claim in one transaction.
    let backend = backend
    return try await write("claiming environment \(name) for run \(run)", run: nil, fenced: false) { db, now in
      try await backend.lockEnvironment(db, name)
      let existing = try await EnvironmentQueries.fetch(db, name)
      if let active = existing?.activeRunId, active != run, let activeRun = try await StateQueries.fetchRun(db, active),
        !activeRun.status.isTerminal
      {
        throw StateStoreError.environmentBusy(environment: name, run: active, status: activeRun.status)
      }
      let record = EnvironmentRecord(
        name: name, planName: planName, activeRunId: run, createdAt: existing?.createdAt ?? now, updatedAt: now)
      try await EnvironmentQueries.save(db, record, exists: existing != nil)
      return record
    }
  }

  public func environment(_ name: String) async throws -> EnvironmentRecord? {
    try await read("reading environment \(name)") { db in try await EnvironmentQueries.fetch(db, name) }
  }

  public func environments() async throws -> [EnvironmentRecord] {
    try await read("listing environments") { db in try await EnvironmentQueries.fetchAll(db) }
  }

  public func environmentStages(_ environment: String) async throws -> [EnvironmentStageState] {
    try await read("reading the stages of environment \(environment)") { db in
      try await EnvironmentQueries.fetchStages(db, environment: environment)
    }
  }

  public func recordApplied(environment: String, _ applied: AppliedStage) async throws {
    let run = applied.runId
    try await write("recording stage \(applied.stage) of environment \(environment)", run: run) { db, now in
      try await EnvironmentQueries.checkActive(db, environment: environment, run: run)
      let existing = try await EnvironmentQueries.fetchStage(db, environment: environment, stage: applied.stage)
      // The state before this run stays beside the new one (a rollback of the run returns to it).
      let previous = existing.map { $0.applied.runId == run ? $0.previous : $0.applied } ?? nil
      let state = EnvironmentStageState(applied: applied, previous: previous)
      try await EnvironmentQueries.saveStage(db, environment: environment, state, exists: existing != nil, at: now)
      _ = try await StateQueries.insertEvent(
        db, run: run, stage: applied.stage, at: now, kind: EventRecord.Kind.environmentStage,
        message: "environment \(environment): stage \(applied.stage) applied (deployment \(applied.deploymentId))",
        data: [
          "environment": .string(environment), "deploymentId": .string(applied.deploymentId),
          "requestId": applied.requestId.map(JSONValue.string) ?? .null,
        ])
    }
  }

  public func removeApplied(environment: String, stage: String, run: RunID) async throws {
    try await write("removing stage \(stage) from environment \(environment)", run: run) { db, now in
      try await EnvironmentQueries.checkActive(db, environment: environment, run: run)
      try await db.delete(from: StateTable.environmentStages)
        .where("environment", .equal, environment).where("stage", .equal, stage).run()
      _ = try await StateQueries.insertEvent(
        db, run: run, stage: nil, at: now, kind: EventRecord.Kind.environmentStage,
        message: "environment \(environment): stage \(stage) removed",
        data: ["environment": .string(environment), "removed": .string(stage)])
    }
  }
}

/// The environment tables' statements.
enum EnvironmentQueries {
  static func fetch(_ db: any SQLDatabase, _ name: String) async throws -> EnvironmentRecord? {
    try await db.select().column("*").from(StateTable.environments).where("name", .equal, name).first()
      .map(decode)
  }

  static func fetchAll(_ db: any SQLDatabase) async throws -> [EnvironmentRecord] {
    try await db.select().column("*").from(StateTable.environments).orderBy("name").all().map(decode)
  }

  static func save(_ db: any SQLDatabase, _ record: EnvironmentRecord, exists: Bool) async throws {
    if exists {
      try await db.update(StateTable.environments)
        .set("plan_name", to: record.planName)
        .set("active_run_id", to: record.activeRunId?.rawValue)
        .set("updated_at", to: StoredValues.milliseconds(record.updatedAt))
        .where("name", .equal, record.name)
        .run()
    } else {
      try await db.insert(into: StateTable.environments)
        .columns("name", "plan_name", "active_run_id", "created_at", "updated_at")
        .values(
          SQLBind(record.name), SQLBind(record.planName), SQLBind(record.activeRunId?.rawValue),
          SQLBind(StoredValues.milliseconds(record.createdAt)), SQLBind(StoredValues.milliseconds(record.updatedAt))
        )
        .run()
    }
  }

  /// A write for an environment is refused unless `run` is the one applying it.
  static func checkActive(_ db: any SQLDatabase, environment: String, run: RunID) async throws {
    let record = try await fetch(db, environment)
    guard let record, record.activeRunId == run else {
      throw StateStoreError.invalidArgument(
        "run \(run) is not the run applying environment \(environment)"
          + (record?.activeRunId.map { " (run \($0) is)" } ?? ""))
    }
  }

  static func fetchStage(
    _ db: any SQLDatabase, environment: String, stage: String
  ) async throws -> EnvironmentStageState? {
    try await db.select().column("state").from(StateTable.environmentStages)
      .where("environment", .equal, environment).where("stage", .equal, stage)
      .first().map(decodeStage)
  }

  static func fetchStages(_ db: any SQLDatabase, environment: String) async throws -> [EnvironmentStageState] {
    try await db.select().column("state").from(StateTable.environmentStages)
      .where("environment", .equal, environment).orderBy("stage")
      .all().map(decodeStage)
  }

  static func saveStage(
    _ db: any SQLDatabase, environment: String, _ state: EnvironmentStageState, exists: Bool, at now: Date
  ) async throws {
    let text = try StoredValues.encode(state)
    if exists {
      try await db.update(StateTable.environmentStages)
        .set("state", to: text)
        .set("run_id", to: state.applied.runId.rawValue)
        .set("updated_at", to: StoredValues.milliseconds(now))
        .where("environment", .equal, environment).where("stage", .equal, state.applied.stage)
        .run()
    } else {
      try await db.insert(into: StateTable.environmentStages)
        .columns("environment", "stage", "state", "run_id", "updated_at")
        .values(
          SQLBind(environment), SQLBind(state.applied.stage), SQLBind(text), SQLBind(state.applied.runId.rawValue),
          SQLBind(StoredValues.milliseconds(now))
        )
        .run()
    }
  }

  static func decode(_ row: any SQLRow) throws -> EnvironmentRecord {
    EnvironmentRecord(
      name: try row.decode(column: "name", as: String.self),
      planName: try row.decode(column: "plan_name", as: String.self),
      activeRunId: try row.decode(column: "active_run_id", as: String?.self).map(RunID.init(rawValue:)),
      createdAt: StoredValues.date(milliseconds: try row.decode(column: "created_at", as: Int64.self)),
      updatedAt: StoredValues.date(milliseconds: try row.decode(column: "updated_at", as: Int64.self)))
  }

  static func decodeStage(_ row: any SQLRow) throws -> EnvironmentStageState {
    try StoredValues.decode(
      EnvironmentStageState.self, from: try row.decode(column: "state", as: String.self),
      table: StateTable.environmentStages)
  }
}
