import Foundation
import SQLKit
import VRAModels

/// One step of the state database's schema, applied once, in its own transaction, and recorded in
/// `schema_migrations`. Migrations are written with SQLKit builders so every SQL backend runs the
/// same steps; never edit a released migration, add the next one.
struct StateMigration: Sendable {
  var version: Int
  var name: String
  var apply: @Sendable (any SQLDatabase) async throws -> Void
}

extension StateMigration {
  /// Every migration this build knows, in order. The last version is what this build writes.
  static let all: [StateMigration] = [
    initialSchema, ownershipAndTarget, failureClasses, serviceSubmissions, trackerCoordination, eventWriters,
    environments,
  ]

  static var latestVersion: Int { all.map(\.version).max() ?? 0 }

  /// Version 1: runs, stages, events, delete requests.
  ///
  /// ```
  /// runs            (id PK, plan_name, plan_path, plan_digest, status, started_at, finished_at, options, updated_at)
  /// stages          (run_id → runs, name, ordinal, status, deployment_name, deployment_id, request_id,
  ///                  blueprint_request_id, project_id, attempt, outputs, resources, error, updated_at;
  ///                  PK (run_id, name))
  /// events          (seq PK autoincrement, run_id → runs, stage_name, at, kind, message, data)
  /// delete_requests (run_id, stage_name → stages, delete_request_id, purpose, deployment_id, status, error,
  ///                  requested_at, updated_at; PK (run_id, stage_name, delete_request_id))
  /// ```
  /// Times are BIGINT milliseconds since 1970 UTC; `options`, `outputs`, `resources`, `error`, `data`
  /// are JSON text.
  static let initialSchema = StateMigration(version: 1, name: "initial schema") { db in
    try await db.create(table: StateTable.runs)
      .column("id", type: .text, .primaryKey(autoIncrement: false))
      .column("plan_name", type: .text, .notNull)
      .column("plan_path", type: .text, .notNull)
      .column("plan_digest", type: .text, .notNull)
      .column("status", type: .text, .notNull)
      .column("started_at", type: .bigint, .notNull)
      .column("finished_at", type: .bigint)
      .column("options", type: .text, .notNull)
      .column("updated_at", type: .bigint, .notNull)
      .run()
    try await db.create(index: "runs_started_at").on(StateTable.runs).column("started_at").run()

    try await db.create(table: StateTable.stages)
      .column("run_id", type: .text, .notNull)
      .column("name", type: .text, .notNull)
      .column("ordinal", type: .int, .notNull)
      .column("status", type: .text, .notNull)
      .column("deployment_name", type: .text)
      .column("deployment_id", type: .text)
      .column("request_id", type: .text)
      .column("blueprint_request_id", type: .text)
      .column("project_id", type: .text)
      .column("attempt", type: .int, .notNull)
      .column("outputs", type: .text)
      .column("resources", type: .text)
      .column("error", type: .text)
      .column("updated_at", type: .bigint, .notNull)
      .primaryKey("run_id", "name")
      .foreignKey(["run_id"], references: StateTable.runs, ["id"])
      .run()
    try await db.create(index: "stages_run_status").on(StateTable.stages).column("run_id").column("status").run()

    try await db.create(table: StateTable.events)
      .column("seq", type: .bigint, .primaryKey(autoIncrement: true))
      .column("run_id", type: .text, .notNull)
      .column("stage_name", type: .text)
      .column("at", type: .bigint, .notNull)
      .column("kind", type: .text, .notNull)
      .column("message", type: .text, .notNull)
      .column("data", type: .text)
      .foreignKey(["run_id"], references: StateTable.runs, ["id"])
      .run()
    try await db.create(index: "events_run_seq").on(StateTable.events).column("run_id").column("seq").run()

    try await db.create(table: StateTable.deleteRequests)
      .column("run_id", type: .text, .notNull)
      .column("stage_name", type: .text, .notNull)
      .column("delete_request_id", type: .text, .notNull)
      .column("purpose", type: .text, .notNull)
      .column("deployment_id", type: .text)
      .column("status", type: .text, .notNull)
      .column("error", type: .text)
      .column("requested_at", type: .bigint, .notNull)
      .column("updated_at", type: .bigint, .notNull)
      .primaryKey("run_id", "stage_name", "delete_request_id")
      .foreignKey(["run_id", "stage_name"], references: StateTable.stages, ["run_id", "name"])
      .run()
  }
}

extension StateMigration {
  /// Version 2: one owner per run (lease owner, expiry and epoch), cancel requests left for the
  /// owner, and the vRA the run ran against.
  ///
  /// ```
  /// runs + (lease_owner TEXT JSON, lease_expires_at BIGINT, lease_epoch BIGINT NOT NULL DEFAULT 0,
  ///         cancel_requested_at BIGINT, target TEXT JSON)
  /// ```
  static let ownershipAndTarget = StateMigration(version: 2, name: "run ownership and target") { db in
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    try await db.alter(table: StateTable.runs).column("lease_owner", type: .text).run()
    try await db.alter(table: StateTable.runs).column("lease_expires_at", type: .bigint).run()
    try await db.alter(table: StateTable.runs)
      .column("lease_epoch", type: .bigint, .notNull, .default(SQLLiteral.numeric("0"))).run()
    try await db.alter(table: StateTable.runs).column("cancel_requested_at", type: .bigint).run()
    try await db.alter(table: StateTable.runs).column("target", type: .text).run()
  }
}

extension StateMigration {
  /// Version 3: every stored failure class is a `FailureClass`. The schema is unchanged; the values
  /// are not: builds before it stored the Swift type name of an error they had no class for
  /// (`PlanResolutionError`, `StateStoreError`, ...) in `stages.error` and `delete_requests.error`,
  /// which now read as the class they mean (`FailureClass.migrating`). Events keep the words they
  /// were written with: they are history, not read back as types.
  static let failureClasses = StateMigration(version: 3, name: "failure classes") { db in
    for table in [StateTable.stages, StateTable.deleteRequests] {
      let stored = try await db.select().distinct().column("error").from(table)
        .where("error", .isNot, SQLLiteral.null)
        .all(decodingColumn: "error", as: String.self)
      for text in stored {
        // Unreadable JSON stays as it is: reading the row reports it as corrupt, as before.
        guard case .object(var error)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
          case .string(let name)? = error["class"], FailureClass(rawValue: name) == nil
        else { continue }
        error["class"] = .string(FailureClass.migrating(name).rawValue)
        try await db.update(table)
          .set("error", to: SQLBind(try StoredValues.encode(JSONValue.object(error))))
          .where("error", .equal, SQLBind(text))
          .run()
      }
    }
  }
}

extension StateMigration {
  /// Version 4: runs a service (`vra-engine serve`) runs.
  ///
  /// ```
  /// runs + (scope TEXT JSON, tenant TEXT, idempotency_key TEXT, request_digest TEXT)
  ///        UNIQUE (tenant, idempotency_key): one run per key and tenant, whatever races
  ///        INDEX (tenant, started_at): a tenant's listing
  /// run_bundles (run_id PK → runs, bundle TEXT JSON): the plan and files a submitted run runs from
  /// ```
  static let serviceSubmissions = StateMigration(version: 4, name: "service submissions") { db in
    for column in ["scope", "tenant", "idempotency_key", "request_digest"] {
      try await db.alter(table: StateTable.runs).column(column, type: .text).run()
    }
    // NULLs are distinct in a unique index (SQLite and PostgreSQL): the CLI's runs never collide.
    try await db.create(index: "runs_tenant_idempotency_key").unique().on(StateTable.runs)
      .column("tenant").column("idempotency_key").run()
    try await db.create(index: "runs_tenant_started_at").on(StateTable.runs)
      .column("tenant").column("started_at").run()
    try await db.create(table: StateTable.runBundles)
      .column("run_id", type: .text, .primaryKey(autoIncrement: false), .references(StateTable.runs, "id"))
      .column("bundle", type: .text, .notNull)
      .run()
  }
}

extension StateMigration {
  /// Version 5: `serve` replicas on one database share their deployment tracking: one replica at a
  /// time tracks each scope (tenant, endpoint, org, project) for all of them.
  ///
  /// ```
  /// tracker_leases       (scope_key PK, owner_id, owner, epoch, expires_at): who tracks a scope
  /// tracker_watches      (scope_key, deployment_id, request_id ('' for none), replica_id, run_id,
  ///                       registered_at, refreshed_at; PK of the first four): who waits for what
  ///                       INDEX (replica_id): a replica's rows; INDEX (refreshed_at): the sweep
  /// tracker_observations (scope_key, deployment_id, request_id, kind, is_final (0/1), update_json,
  ///                       observed_at, epoch; PK (scope_key, deployment_id, request_id)): the
  ///                       latest update the tracking replica saw, for the waiters of every replica
  /// ```
  static let trackerCoordination = StateMigration(version: 5, name: "tracker coordination") { db in
    try await db.create(table: StateTable.trackerLeases)
      .column("scope_key", type: .text, .primaryKey(autoIncrement: false))
      .column("owner_id", type: .text, .notNull)
      .column("owner", type: .text, .notNull)
      .column("epoch", type: .bigint, .notNull)
      .column("expires_at", type: .bigint, .notNull)
      .run()

    try await db.create(table: StateTable.trackerWatches)
      .column("scope_key", type: .text, .notNull)
      .column("deployment_id", type: .text, .notNull)
      .column("request_id", type: .text, .notNull)
      .column("replica_id", type: .text, .notNull)
      .column("run_id", type: .text)
      .column("registered_at", type: .bigint, .notNull)
      .column("refreshed_at", type: .bigint, .notNull)
      .primaryKey("scope_key", "deployment_id", "request_id", "replica_id")
      .run()
    try await db.create(index: "tracker_watches_replica").on(StateTable.trackerWatches).column("replica_id").run()
    try await db.create(index: "tracker_watches_refreshed_at").on(StateTable.trackerWatches)
      .column("refreshed_at").run()

    try await db.create(table: StateTable.trackerObservations)
      .column("scope_key", type: .text, .notNull)
      .column("deployment_id", type: .text, .notNull)
      .column("request_id", type: .text, .notNull)
      .column("kind", type: .text, .notNull)
      .column("is_final", type: .bigint, .notNull)
      .column("update_json", type: .text, .notNull)
      .column("observed_at", type: .bigint, .notNull)
      .column("epoch", type: .bigint, .notNull)
      .primaryKey("scope_key", "deployment_id", "request_id")
      .run()
  }
}

extension StateMigration {
  /// Version 6: who wrote each event. A write made under a run's lease stamps its events with the
  /// lease's owner and epoch, so the log itself shows that no process wrote after losing the run
  /// (epochs never go down along a run's events). Version 5 is the trackers' coordination.
  ///
  /// ```
  /// events + (writer TEXT, writer_epoch BIGINT): NULL for writes made under no lease
  /// ```
  static let eventWriters = StateMigration(version: 6, name: "event writers") { db in
    try await db.alter(table: StateTable.events).column("writer", type: .text).run()
    try await db.alter(table: StateTable.events).column("writer_epoch", type: .bigint).run()
  }
}

extension StateMigration {
  /// Version 7: environments (`apply --env NAME`): what was last applied to each stage, and what each
  /// stage of an environment run does.
  ///
  /// ```
  /// environments       (name PK, plan_name, active_run_id, created_at, updated_at)
  /// environment_stages (environment, stage, state (JSON EnvironmentStageState), run_id, updated_at;
  ///                     PK (environment, stage))
  /// stages + (operation TEXT, baseline_request_id TEXT): NULL outside environment runs
  /// ```
  static let environments = StateMigration(version: 7, name: "environments") { db in
    try await db.create(table: StateTable.environments)
      .column("name", type: .text, .primaryKey(autoIncrement: false))
      .column("plan_name", type: .text, .notNull)
      .column("active_run_id", type: .text)
      .column("created_at", type: .bigint, .notNull)
      .column("updated_at", type: .bigint, .notNull)
      .run()
    try await db.create(table: StateTable.environmentStages)
      .column("environment", type: .text, .notNull, .references(StateTable.environments, "name"))
      .column("stage", type: .text, .notNull)
      .column("state", type: .text, .notNull)
      .column("run_id", type: .text, .notNull)
      .column("updated_at", type: .bigint, .notNull)
      .primaryKey("environment", "stage")
      .run()
    try await db.alter(table: StateTable.stages).column("operation", type: .text).run()
    try await db.alter(table: StateTable.stages).column("baseline_request_id", type: .text).run()
  }
}

/// Table names, in one place.
enum StateTable {
  static let migrations = "schema_migrations"
  static let runs = "runs"
  static let stages = "stages"
  static let events = "events"
  static let deleteRequests = "delete_requests"
  static let runBundles = "run_bundles"
  static let trackerLeases = "tracker_leases"
  static let trackerWatches = "tracker_watches"
  static let trackerObservations = "tracker_observations"
  static let environments = "environments"
  static let environmentStages = "environment_stages"
}
