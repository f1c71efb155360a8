import Foundation
import VRAModels

extension SQLStateStore {
  public func acquireLease(run: RunID, duration: Duration, mode: LeaseAcquisition) async throws -> RunLease {
    try await takeLease(run: run, duration: duration, mode: mode, lockWait: nil)
  }

  /// `acquireLease`, waiting at most `lockWait` for the run's row (nil: as long as it takes).
  func takeLease(run: RunID, duration: Duration, mode: LeaseAcquisition, lockWait: Duration?) async throws -> RunLease {
    let owner = self.owner
    // Taking a lease is not fenced, except by a store that holds one for the run (a service's
    // claim, then the run's start): if the run was taken over since, that lease is lost, and the
    // start must not take the run back (it may have finished meanwhile).
    let lease = try await write(
      "taking the lease of run \(run)", run: run, fenced: held[run] != nil, lockWait: lockWait
    ) { db, now in
      guard var record = try await StateQueries.fetchRun(db, run) else { throw StateStoreError.unknownRun(run) }
      var tookOver: LeaseOwner?
      if let current = record.lease, current.owner.id != owner.id, !current.owner.isKnownDead {
        if current.expiresAt > now {
          throw StateStoreError.runOwned(run: run, owner: current.owner, until: current.expiresAt)
        }
        guard mode == .takeover else {
          throw StateStoreError.leaseExpired(run: run, owner: current.owner, since: current.expiresAt)
        }
        tookOver = current.owner
      } else if let current = record.lease, current.owner.id != owner.id {
        tookOver = current.owner
      }
      // A cancel request was for the owner that was; the new one decides. One this owner already
      // held the lease for (a service's claim, then the run's start) is still its to act on.
      let reacquired = record.lease?.owner.id == owner.id && record.lease.map { $0.expiresAt > now } == true
      record.epoch += 1
      let lease = RunLease(
        runId: run, owner: owner, epoch: record.epoch, expiresAt: now.addingTimeInterval(duration.seconds))
      record.lease = lease
      if !reacquired { record.cancelRequestedAt = nil }
      try await StateQueries.updateRunOwnership(db, record, at: now)
      var data: [String: JSONValue] = [
        "owner": .string(owner.description), "epoch": .int(Int(record.epoch)),
      ]
      if let tookOver { data["previousOwner"] = .string(tookOver.description) }
      _ = try await StateQueries.insertEvent(
        db, run: run, stage: nil, at: now, kind: EventRecord.Kind.runLease,
        message: tookOver.map { "\(owner) took run \(run) over from \($0)" } ?? "\(owner) owns run \(run)",
        data: .object(data))
      return lease
    }
    held[run] = lease.epoch
    return lease
  }

  public func renewLease(_ lease: RunLease, duration: Duration) async throws -> LeaseRenewal {
    let owner = self.owner
    do {
      return try await write("renewing the lease of run \(lease.runId)", run: lease.runId) { db, now in
        guard var record = try await StateQueries.fetchRun(db, lease.runId) else {
          throw StateStoreError.unknownRun(lease.runId)
        }
        let renewed = RunLease(
          runId: lease.runId, owner: owner, epoch: record.epoch, expiresAt: now.addingTimeInterval(duration.seconds))
        record.lease = renewed
        try await StateQueries.updateRunOwnership(db, record, at: now)
        return LeaseRenewal(lease: renewed, cancelRequested: record.cancelRequestedAt != nil)
      }
    } catch let error as StateStoreError {
      if case .leaseLost = error { held[lease.runId] = nil }
      throw error
    }
  }

  public func releaseLease(_ lease: RunLease) async throws {
    guard held[lease.runId] == lease.epoch else { return }
    held[lease.runId] = nil
    let owner = self.owner
    try await write("releasing the lease of run \(lease.runId)", run: lease.runId, fenced: false) { db, now in
      guard var record = try await StateQueries.fetchRun(db, lease.runId),
        record.lease?.owner.id == owner.id, record.epoch == lease.epoch
      else { return }
      record.lease = nil
      try await StateQueries.updateRunOwnership(db, record, at: now)
    }
  }

  /// Gives up the lease of `run` if this store still holds it (a service's claim of a run whose
  /// work ended before taking the lease over, or was handed back); otherwise does nothing.
  public func releaseLease(of run: RunID) async throws {
    guard let epoch = held[run] else { return }
    let owner = self.owner
    try await releaseLease(RunLease(runId: run, owner: owner, epoch: epoch, expiresAt: Date()))
  }

  @discardableResult
  public func requestCancel(run: RunID) async throws -> RunRecord {
    try await write("asking run \(run) to cancel", run: run, fenced: false) { db, now in
      guard var record = try await StateQueries.fetchRun(db, run) else { throw StateStoreError.unknownRun(run) }
      guard record.cancelRequestedAt == nil else { return record }
      record.cancelRequestedAt = now
      try await StateQueries.updateRunOwnership(db, record, at: now)
      _ = try await StateQueries.insertEvent(
        db, run: run, stage: nil, at: now, kind: EventRecord.Kind.cancelRequested,
        message: "cancel of run \(run) requested", data: nil)
      return record
    }
  }

  public func deleteRun(_ id: RunID) async throws {
    try await write("deleting run \(id)", run: id) { db, _ in
      guard try await StateQueries.fetchRun(db, id) != nil else { throw StateStoreError.unknownRun(id) }
      try await StateQueries.deleteRun(db, id)
    }
  }
}
