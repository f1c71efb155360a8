import Foundation
import SQLKit
import VRAModels

/// How a service (one `serve` or several replicas on one database) takes queued runs: a tenant's
/// quota is counted and filled in one transaction, by one replica at a time, and a run is
/// claimed by taking its lease, so two replicas never start the same run.
extension SQLStateStore {
  /// Takes the leases of the oldest queued runs of `tenant` (pending, not leased, no cancel
  /// requested) while the tenant has fewer than `maxConcurrentRuns` runs going, counted over every
  /// process sharing the store: runs started (running, cancelling), and queued runs someone holds
  /// the lease of (claimed, about to start). Returns the leases taken, oldest run first; the
  /// caller starts those runs (their start re-takes the lease, keeping a cancel request).
  public func claimQueuedRuns(
    tenant: String, maxConcurrentRuns: Int, duration: Duration
  ) async throws -> [RunLease] {
    let (backend, owner) = (backend, owner)
    let leases = try await write("claiming queued runs of tenant \(tenant)") { db, now in
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
      let free = maxConcurrentRuns - going
      guard free > 0 else { return [RunLease]() }
      let queued = try await backend.lockingSkippingLocked(
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
      var leases: [RunLease] = []
      for var record in queued {
        record.epoch += 1
        let lease = RunLease(
          runId: record.id, owner: owner, epoch: record.epoch, expiresAt: now.addingTimeInterval(duration.seconds))
        record.lease = lease
        try await StateQueries.updateRunOwnership(db, record, at: now)
        _ = try await StateQueries.insertEvent(
          db, run: record.id, stage: nil, at: now, kind: EventRecord.Kind.runLease,
          message: "\(owner) claimed run \(record.id) from the queue of tenant \(tenant)",
          data: ["owner": .string(owner.description), "epoch": .int(Int(record.epoch))])
        leases.append(lease)
      }
      return leases
    }
    for lease in leases { held[lease.runId] = lease.epoch }
    return leases
  }
}
