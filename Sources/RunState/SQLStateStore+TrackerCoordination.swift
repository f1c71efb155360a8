import Foundation
import SQLKit

/// The lease on tracking one scope (tenant, endpoint, org, project) for every `serve` replica of a
/// database: its holder alone polls vRA for the scope and publishes what it sees.
public struct TrackerLease: Sendable, Hashable {
  public var scopeKey: String
  /// The holder: a store's `owner.id` (one per replica).
  public var ownerId: String
  /// The holder as a person reads it (`pid 42 on host-a`).
  public var owner: String
  /// Raised by every acquisition; what the holder publishes is checked against it.
  public var epoch: Int64
  public var expiresAt: Date

  public init(scopeKey: String, ownerId: String, owner: String, epoch: Int64, expiresAt: Date) {
    self.scopeKey = scopeKey
    self.ownerId = ownerId
    self.owner = owner
    self.epoch = epoch
    self.expiresAt = expiresAt
  }
}

/// What a tracker waits for: a deployment's request in a scope. `requestId` is "" when the waiter
/// follows the deployment's last request (whichever it is when first seen).
public struct TrackerWatchKey: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var scopeKey: String
  public var deploymentId: String
  public var requestId: String

  public init(scopeKey: String, deploymentId: String, requestId: String?) {
    self.scopeKey = scopeKey
    self.deploymentId = deploymentId
    self.requestId = requestId ?? ""
  }

  /// nil when the watch follows the deployment's last request.
  public var followedRequestId: String? { requestId.isEmpty ? nil : requestId }

  public static func < (lhs: Self, rhs: Self) -> Bool {
    (lhs.scopeKey, lhs.deploymentId, lhs.requestId) < (rhs.scopeKey, rhs.deploymentId, rhs.requestId)
  }

  public var description: String {
    "\(scopeKey) deployment \(deploymentId)" + (requestId.isEmpty ? "" : " request \(requestId)")
  }
}

/// One replica's interest in a watch key (a row of `tracker_watches`).
public struct TrackerWatch: Sendable, Hashable {
  public var key: TrackerWatchKey
  public var replicaId: String
  public var runId: String?
  public var registeredAt: Date
  /// Moved forward by the replica while it lives; rows not refreshed for long are swept.
  public var refreshedAt: Date

  public init(key: TrackerWatchKey, replicaId: String, runId: String?, registeredAt: Date, refreshedAt: Date) {
    self.key = key
    self.replicaId = replicaId
    self.runId = runId
    self.registeredAt = registeredAt
    self.refreshedAt = refreshedAt
  }
}

/// The latest update the tracking replica published for a watch key (a row of `tracker_observations`).
/// The store keeps `update` as given (JSON the tracker wrote); it only knows whether it is final.
public struct TrackerObservation: Sendable, Hashable {
  public var key: TrackerWatchKey
  public var kind: String
  /// A final update (terminal, deployment or request not found) is never replaced by another.
  public var isFinal: Bool
  public var update: String
  public var observedAt: Date
  /// The epoch of the lease it was published under.
  public var epoch: Int64

  public init(key: TrackerWatchKey, kind: String, isFinal: Bool, update: String, observedAt: Date, epoch: Int64) {
    self.key = key
    self.kind = kind
    self.isFinal = isFinal
    self.update = update
    self.observedAt = observedAt
    self.epoch = epoch
  }
}

/// What a sweep removed.
public struct TrackerSweep: Sendable, Hashable {
  public var watches = 0
  public var observations = 0
}

/// Cross-replica tracking (`serve` replicas on one PostgreSQL): tracker leases, watch rows and
/// published observations. Each method is one transaction; times come from the database's clock
/// on PostgreSQL, so replicas on several machines agree on expiries.
extension SQLStateStore {
  /// True when other processes on other hosts may share this store (PostgreSQL): `serve` replicas
  /// then coordinate their tracking through it. SQLite serves one host's processes.
  public nonisolated var isSharedAcrossHosts: Bool { backend is PostgresStateBackend }

  // MARK: Leases

  /// Takes the scope's tracker lease if it is free or expired (raising its epoch); nil when
  /// another holder's lease has not expired. The INSERT or the conditional UPDATE of an upsert
  /// decides in one statement (the row is locked for it), so two stores never both get it.
  public func acquireTrackerLease(scopeKey: String, duration: Duration) async throws -> TrackerLease? {
    let owner = self.owner
    return try await write("taking the tracker lease of \(scopeKey)") { db, now in
      let expires = StoredValues.milliseconds(now.addingTimeInterval(duration.seconds))
      let table = StateTable.trackerLeases
      try await db.insert(into: table)
        .columns("scope_key", "owner_id", "owner", "epoch", "expires_at")
        .values(
          SQLBind(scopeKey), SQLBind(owner.id), SQLBind(owner.description), SQLBind(Int64(1)), SQLBind(expires)
        )
        .onConflict(with: ["scope_key"]) { update in
          update
            .set(excludedValueOf: "owner_id")
            .set(excludedValueOf: "owner")
            .set(excludedValueOf: "expires_at")
            .set("epoch", to: SQLBinaryExpression(SQLColumn("epoch", table: table), .add, SQLLiteral.numeric("1")))
            .where(SQLColumn("expires_at", table: table), .lessThanOrEqual, SQLBind(StoredValues.milliseconds(now)))
        }
        .run()
      guard let lease = try await Self.fetchTrackerLease(db, scopeKey), lease.ownerId == owner.id,
        lease.expiresAt > now
      else { return nil }
      return lease
    }
  }

  /// Extends a lease this store holds; nil when it was lost (taken over after it expired).
  public func renewTrackerLease(_ lease: TrackerLease, duration: Duration) async throws -> TrackerLease? {
    try await write("renewing the tracker lease of \(lease.scopeKey)") { db, now in
      try await db.update(StateTable.trackerLeases)
        .set("expires_at", to: StoredValues.milliseconds(now.addingTimeInterval(duration.seconds)))
        .where("scope_key", .equal, lease.scopeKey)
        .where("owner_id", .equal, lease.ownerId)
        .where("epoch", .equal, lease.epoch)
        .run()
      guard let current = try await Self.fetchTrackerLease(db, lease.scopeKey), current.ownerId == lease.ownerId,
        current.epoch == lease.epoch
      else { return nil }
      return current
    }
  }

  /// Frees a lease this store holds, so another replica takes the scope at its next look.
  public func releaseTrackerLease(_ lease: TrackerLease) async throws {
    try await write("releasing the tracker lease of \(lease.scopeKey)") { db, _ in
      try await db.update(StateTable.trackerLeases)
        .set("expires_at", to: Int64(0))
        .where("scope_key", .equal, lease.scopeKey)
        .where("owner_id", .equal, lease.ownerId)
        .where("epoch", .equal, lease.epoch)
        .run()
    }
  }

  /// The scope's lease as stored (maybe expired), nil when nobody ever held it.
  public func trackerLease(scopeKey: String) async throws -> TrackerLease? {
    try await read("reading the tracker lease of \(scopeKey)") { db in try await Self.fetchTrackerLease(db, scopeKey) }
  }

  // MARK: Watches

  /// Records that `replicaId` waits for `key` (once per replica and key; a second call refreshes it).
  public func registerTrackerWatch(_ key: TrackerWatchKey, replicaId: String, runId: String?) async throws {
    try await write("registering the tracker watch \(key)") { db, now in
      let at = StoredValues.milliseconds(now)
      try await db.insert(into: StateTable.trackerWatches)
        .columns("scope_key", "deployment_id", "request_id", "replica_id", "run_id", "registered_at", "refreshed_at")
        .values(
          SQLBind(key.scopeKey), SQLBind(key.deploymentId), SQLBind(key.requestId), SQLBind(replicaId),
          SQLBind(runId), SQLBind(at), SQLBind(at)
        )
        .onConflict(with: ["scope_key", "deployment_id", "request_id", "replica_id"]) {
          $0.set(excludedValueOf: "refreshed_at")
        }
        .run()
    }
  }

  /// Forgets `replicaId`'s wait for `key`; the key's observation goes with its last watch.
  public func removeTrackerWatch(_ key: TrackerWatchKey, replicaId: String) async throws {
    try await write("removing the tracker watch \(key)") { db, _ in
      try await db.delete(from: StateTable.trackerWatches)
        .where("scope_key", .equal, key.scopeKey).where("deployment_id", .equal, key.deploymentId)
        .where("request_id", .equal, key.requestId).where("replica_id", .equal, replicaId)
        .run()
      try await Self.deleteObservationIfUnwatched(db, key)
    }
  }

  /// Forgets every wait of `replicaId` (its graceful shutdown), with the observations nobody else waits for.
  public func removeTrackerWatches(replicaId: String) async throws {
    try await write("removing the tracker watches of replica \(replicaId)") { db, _ in
      let keys = try await db.select().columns("scope_key", "deployment_id", "request_id")
        .from(StateTable.trackerWatches).where("replica_id", .equal, replicaId)
        .all().map(Self.decodeKey)
      try await db.delete(from: StateTable.trackerWatches).where("replica_id", .equal, replicaId).run()
      for key in keys { try await Self.deleteObservationIfUnwatched(db, key) }
    }
  }

  /// Marks every watch of `replicaId` as alive now (the sweep removes rows not refreshed for long).
  public func refreshTrackerWatches(replicaId: String) async throws {
    try await write("refreshing the tracker watches of replica \(replicaId)") { db, now in
      try await db.update(StateTable.trackerWatches)
        .set("refreshed_at", to: StoredValues.milliseconds(now))
        .where("replica_id", .equal, replicaId)
        .run()
    }
  }

  /// Every replica's watches of a scope.
  public func trackerWatches(scopeKey: String) async throws -> [TrackerWatch] {
    try await read("reading the tracker watches of \(scopeKey)") { db in
      try await db.select().column("*").from(StateTable.trackerWatches).where("scope_key", .equal, scopeKey)
        .orderBy("deployment_id").orderBy("request_id").orderBy("replica_id")
        .all().map(Self.decodeWatch)
    }
  }

  /// Removes watches not refreshed within `staleAfter` (their replica died) and observations nobody
  /// waits for any more. Leases stay (one row per scope ever tracked), so epochs only grow.
  @discardableResult
  public func sweepTrackerState(staleAfter: Duration) async throws -> TrackerSweep {
    try await write("sweeping tracker state") { db, now in
      let before = StoredValues.milliseconds(now.addingTimeInterval(-staleAfter.seconds))
      var sweep = TrackerSweep()
      let watches = StateTable.trackerWatches
      let observations = StateTable.trackerObservations
      sweep.watches = try await Self.count(db, watches) { $0.where("refreshed_at", .lessThan, before) }
      try await db.delete(from: watches).where("refreshed_at", .lessThan, before).run()
      // Plain SQL both dialects run the same: observations whose key nobody waits for any more.
      let unwatched = SQLRaw(
        "NOT EXISTS (SELECT 1 FROM \(watches) AS w WHERE w.scope_key = \(observations).scope_key"
          + " AND w.deployment_id = \(observations).deployment_id AND w.request_id = \(observations).request_id)")
      sweep.observations = try await Self.count(db, observations) { $0.where(unwatched) }
      try await db.delete(from: observations).where(unwatched).run()
      return sweep
    }
  }

  // MARK: Observations

  /// Publishes the latest update of `key` under `lease`, if the lease is still this store's with
  /// that epoch (checked with the lease row locked against a takeover), and unless a final update
  /// is stored already. Returns false when the lease was lost (nothing written).
  @discardableResult
  public func publishTrackerObservation(
    _ key: TrackerWatchKey, kind: String, isFinal: Bool, update: String, under lease: TrackerLease
  ) async throws -> Bool {
    try await write("publishing a tracker observation of \(key)") { [backend] db, now in
      try await backend.lockTrackerLease(db, key.scopeKey)
      guard let current = try await Self.fetchTrackerLease(db, key.scopeKey), current.ownerId == lease.ownerId,
        current.epoch == lease.epoch
      else { return false }
      let table = StateTable.trackerObservations
      try await db.insert(into: table)
        .columns("scope_key", "deployment_id", "request_id", "kind", "is_final", "update_json", "observed_at", "epoch")
        .values(
          SQLBind(key.scopeKey), SQLBind(key.deploymentId), SQLBind(key.requestId), SQLBind(kind),
          SQLBind(Int64(isFinal ? 1 : 0)), SQLBind(update), SQLBind(StoredValues.milliseconds(now)),
          SQLBind(lease.epoch)
        )
        .onConflict(with: ["scope_key", "deployment_id", "request_id"]) { conflict in
          conflict
            .set(excludedValueOf: "kind").set(excludedValueOf: "is_final").set(excludedValueOf: "update_json")
            .set(excludedValueOf: "observed_at").set(excludedValueOf: "epoch")
            .where(SQLColumn("is_final", table: table), .equal, SQLBind(Int64(0)))
        }
        .run()
      return true
    }
  }

  /// The published observations of a scope's deployments (all of the scope when `deploymentIds` is nil).
  public func trackerObservations(
    scopeKey: String, deploymentIds: [String]? = nil
  ) async throws
    -> [TrackerObservation]
  {
    if let deploymentIds, deploymentIds.isEmpty { return [] }
    return try await read("reading the tracker observations of \(scopeKey)") { db in
      var query = db.select().column("*").from(StateTable.trackerObservations).where("scope_key", .equal, scopeKey)
      if let deploymentIds { query = query.where("deployment_id", .in, deploymentIds) }
      return try await query.orderBy("deployment_id").orderBy("request_id").all().map(Self.decodeObservation)
    }
  }

  // MARK: Rows

  static func fetchTrackerLease(_ db: any SQLDatabase, _ scopeKey: String) async throws -> TrackerLease? {
    try await db.select().column("*").from(StateTable.trackerLeases).where("scope_key", .equal, scopeKey).first()
      .map { row in
        TrackerLease(
          scopeKey: try row.decode(column: "scope_key", as: String.self),
          ownerId: try row.decode(column: "owner_id", as: String.self),
          owner: try row.decode(column: "owner", as: String.self),
          epoch: try row.decode(column: "epoch", as: Int64.self),
          expiresAt: StoredValues.date(milliseconds: try row.decode(column: "expires_at", as: Int64.self)))
      }
  }

  private static func deleteObservationIfUnwatched(_ db: any SQLDatabase, _ key: TrackerWatchKey) async throws {
    let remaining = try await count(db, StateTable.trackerWatches) {
      $0.where("scope_key", .equal, key.scopeKey).where("deployment_id", .equal, key.deploymentId)
        .where("request_id", .equal, key.requestId)
    }
    guard remaining == 0 else { return }
    try await db.delete(from: StateTable.trackerObservations)
      .where("scope_key", .equal, key.scopeKey).where("deployment_id", .equal, key.deploymentId)
      .where("request_id", .equal, key.requestId)
      .run()
  }

  private static func count(
    _ db: any SQLDatabase, _ table: String, _ filter: (SQLSelectBuilder) -> SQLSelectBuilder
  ) async throws -> Int {
    let query = filter(db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table))
    return Int(try await query.first(decodingColumn: "n", as: Int64.self) ?? 0)
  }

  private static func decodeKey(_ row: any SQLRow) throws -> TrackerWatchKey {
    TrackerWatchKey(
      scopeKey: try row.decode(column: "scope_key", as: String.self),
      deploymentId: try row.decode(column: "deployment_id", as: String.self),
      requestId: try row.decode(column: "request_id", as: String.self))
  }

  private static func decodeWatch(_ row: any SQLRow) throws -> TrackerWatch {
    TrackerWatch(
      key: try decodeKey(row), replicaId: try row.decode(column: "replica_id", as: String.self),
      runId: try row.decode(column: "run_id", as: String?.self),
      registeredAt: StoredValues.date(milliseconds: try row.decode(column: "registered_at", as: Int64.self)),
      refreshedAt: StoredValues.date(milliseconds: try row.decode(column: "refreshed_at", as: Int64.self)))
  }

  private static func decodeObservation(_ row: any SQLRow) throws -> TrackerObservation {
    TrackerObservation(
      key: try decodeKey(row), kind: try row.decode(column: "kind", as: String.self),
      isFinal: try row.decode(column: "is_final", as: Int64.self) != 0,
      update: try row.decode(column: "update_json", as: String.self),
      observedAt: StoredValues.date(milliseconds: try row.decode(column: "observed_at", as: Int64.self)),
      epoch: try row.decode(column: "epoch", as: Int64.self))
  }
}
