import Foundation
import SQLKit
import VRAModels

/// How a service (one `serve` or several replicas on one database) takes queued runs: a tenant's
/// quota is counted and filled in one transaction, by one replica at a time, and a run is
/// claimed by taking its lease, so two replicas never start the same run.
extension SQLStateStore {
  /// How long a claim waits for a lock another transaction holds before it gives up until the next
  /// look (`StateStoreError.busy`): a process stopped in the middle of a write keeps the rows it
  /// locked until the server ends its session, and a scheduling pass must not wait on that.
  public static let claimLockWait: Duration = .milliseconds(500)

  /// Takes the lease of `run` for a service's scheduling pass: `acquireLease`, except that when
  /// another transaction holds the run's row past `claimLockWait` it throws `StateStoreError.busy`
  /// instead of waiting (the pass goes on; the run is looked at again next time).
  public func claimLease(of run: RunID, duration: Duration, mode: LeaseAcquisition) async throws -> RunLease {
    try await takeLease(run: run, duration: duration, mode: mode, lockWait: Self.claimLockWait)
  }

  /// Takes the leases of the oldest queued runs of `tenant` (pending, not leased, no cancel
  /// requested) while the tenant has fewer than `maxConcurrentRuns` runs going, counted over every
  /// process sharing the store: runs started (running, cancelling), and queued runs someone holds
  /// the lease of (claimed, about to start). Queued runs claimed by a process of this host that no
  /// longer exists are taken over first, at once (they hold slots already). Returns the leases
  /// taken (those runs first, then the queued ones oldest first); the caller starts those runs
  /// (their start re-takes the lease, keeping a cancel request). A lock held past `claimLockWait` (another replica claiming, or one stopped
  /// in the middle of a claim) ends it with `StateStoreError.busy`.
  public func claimQueuedRuns(
    tenant: String, maxConcurrentRuns: Int, duration: Duration
  ) async throws -> [RunLease] {
    let (backend, owner) = (backend, owner)
    let leases = try await write("claiming queued runs of tenant \(tenant)", lockWait: Self.claimLockWait) { db, now in
      try await backend.lockTenant(db, tenant)
      let live = StoredValues.milliseconds(now)
      let going =
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
        .from(StateTable.runs)
        .where("tenant", .equal, tenant)
        .where {
          $0.where("status", .in, [RunStatus.running.rawValue, RunStatus.cancelling.rawValue])
            .orWhere {
              $0.where("status", .equal, RunStatus.pending.rawValue)
                .where("lease_expires_at", .greaterThan, live)
            }
        }
        .first(decodingColumn: "n", as: Int.self) ?? 0
      let orphaned = try await Self.queuedRunsOfDeadOwners(
        db, backend: backend, tenant: tenant, owner: owner, live: live)
      let free = maxConcurrentRuns - going
      var queued: [RunRecord] = []
      if free > 0 {
        queued = try await backend.lockingSkippingLocked(
          db.select().column("*").from(StateTable.runs)
            .where("tenant", .equal, tenant)
            .where("status", .equal, RunStatus.pending.rawValue)
            .where("cancel_requested_at", .is, SQLLiteral.null)
            .where {
              $0.where("lease_expires_at", .is, SQLLiteral.null).orWhere("lease_expires_at", .lessThanOrEqual, live)
            }
            .orderBy("started_at").orderBy("id")
            .limit(free)
        ).all().map(StateQueries.decodeRun)
      }
      var leases: [RunLease] = []
      for var record in orphaned + queued {
        let previous = record.lease?.owner
        record.epoch += 1
        let lease = RunLease(
          runId: record.id, owner: owner, epoch: record.epoch, expiresAt: now.addingTimeInterval(duration.seconds))
        record.lease = lease
        try await StateQueries.updateRunOwnership(db, record, at: now)
        var data: [String: JSONValue] = ["owner": .string(owner.description), "epoch": .int(Int(record.epoch))]
        var message = "\(owner) claimed run \(record.id) from the queue of tenant \(tenant)"
        if let previous {
          data["previousOwner"] = .string(previous.description)
          message =
            "\(owner) took run \(record.id) over from \(previous), which no longer exists (queued, tenant \(tenant))"
        }
        _ = try await StateQueries.insertEvent(
          db, run: record.id, stage: nil, at: now, kind: EventRecord.Kind.runLease, message: message,
          data: .object(data))
        leases.append(lease)
      }
      return leases
    }
    for lease in leases { held[lease.runId] = lease.epoch }
    return leases
  }

  /// The queued runs of `tenant` (no cancel requested) whose unexpired lease belongs to a process
  /// of this host that no longer exists (`LeaseOwner.isKnownDead`: only this process can tell, so
  /// they are read, judged, then locked and checked unchanged), oldest first.
  private static func queuedRunsOfDeadOwners(
    _ db: any SQLDatabase, backend: any SQLStateBackend, tenant: String, owner: LeaseOwner, live: Int64
  ) async throws -> [RunRecord] {
    let claimed = try await db.select().column("*").from(StateTable.runs)
      .where("tenant", .equal, tenant)
      .where("status", .equal, RunStatus.pending.rawValue)
      .where("cancel_requested_at", .is, SQLLiteral.null)
      .where("lease_expires_at", .greaterThan, live)
      .orderBy("started_at").orderBy("id")
      .all().map(StateQueries.decodeRun)
    let dead = claimed.filter { run in run.lease.map { $0.owner.id != owner.id && $0.owner.isKnownDead } ?? false }
    guard !dead.isEmpty else { return [] }
    let locked = try await backend.lockingSkippingLocked(
      db.select().column("*").from(StateTable.runs).where("id", .in, dead.map(\.id.rawValue))
    ).all().map(StateQueries.decodeRun)
    // Only rows nobody changed between the read and the lock (same lease, same epoch).
    return dead.filter { run in
      locked.contains { $0.id == run.id && $0.epoch == run.epoch && $0.lease?.owner.id == run.lease?.owner.id }
    }
  }
}
