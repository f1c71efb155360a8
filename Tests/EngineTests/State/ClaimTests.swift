import Foundation
import RunState
import Testing
import VRAModels

@testable import Engine
@testable import RunState

/// Claiming queued runs as `serve` replicas do: a tenant's quota is counted over every store that
/// shares the database, and a run is claimed by one of them only.
@Suite struct ClaimTests {
  /// Submits `count` runs, a second apart by `clock` when given (so their order is their age).
  private func submit(
    _ store: SQLStateStore, tenant: String, count: Int, clock: ManualClock? = nil
  ) async throws -> [RunID] {
    var ids: [RunID] = []
    for index in 0..<count {
      clock?.advance(seconds: 1)
      let id = RunID.generate()
      _ = try await store.submitRun(
        id: id, planName: "p", planPath: "plan.yaml", planDigest: "sha256:\(index)", options: [:], stages: ["a"],
        target: nil,
        submission: RunSubmissionRecord(
          scope: RunScope(tenant: tenant), idempotencyKey: nil, requestDigest: "d\(index)", bundle: "{}"))
      ids.append(id)
    }
    return ids
  }

  @Test(arguments: StoreBackend.allCases) func theQuotaIsSharedByEveryReplica(_ backend: StoreBackend) async throws {
    let clock = ManualClock()
    try await withStore(backend, clock: clock) { first, database in
      let second = try await SQLStateStore.openForTest(database, clock: clock)
      let ids = try await submit(first, tenant: "acme", count: 5, clock: clock)
      _ = try await submit(first, tenant: "other", count: 1)

      let claimedFirst = try await first.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 2, duration: .seconds(30))
      #expect(claimedFirst.map(\.runId) == Array(ids.prefix(2)), "the oldest runs first")
      #expect(try await second.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 2, duration: .seconds(30)).isEmpty)

      // One claimed run starts and ends: a slot frees, and the other replica fills it.
      let lease = claimedFirst[0]
      let started = try await first.acquireLease(run: lease.runId, duration: .seconds(30), mode: .ifFree)
      try await first.updateRunStatus(lease.runId, to: .running)
      #expect(try await second.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 2, duration: .seconds(30)).isEmpty)
      try await first.updateRunStatus(lease.runId, to: .succeeded)
      try await first.releaseLease(started)
      let claimedSecond = try await second.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 2, duration: .seconds(30))
      #expect(claimedSecond.map(\.runId) == [ids[2]])
      // Another tenant's quota is its own.
      #expect(
        try await second.claimQueuedRuns(tenant: "other", maxConcurrentRuns: 1, duration: .seconds(30)).count == 1)
      try await second.close()
    }
  }

  @Test(arguments: StoreBackend.allCases) func aClaimKeepsACancelForItsStart(_ backend: StoreBackend) async throws {
    try await withStore(backend) { store, _ in
      let ids = try await submit(store, tenant: "acme", count: 1)
      _ = try await store.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 1, duration: .seconds(30))
      // A cancel sent to another replica between the claim and the start: the start must see it.
      try await store.requestCancel(run: ids[0])
      _ = try await store.acquireLease(run: ids[0], duration: .seconds(30), mode: .ifFree)
      #expect(try await store.run(ids[0])?.cancelRequestedAt != nil)
    }
  }

  /// Replicas claiming at the same moment never exceed the quota together.
  @Test func replicasClaimingAtOnceStayWithinTheQuota() async throws {
    try await StoreBackend.postgres.withFreshDatabase { database in
      var stores: [SQLStateStore] = []
      for _ in 0..<4 { stores.append(try await SQLStateStore.open(database)) }
      _ = try await submit(stores[0], tenant: "acme", count: 20)
      let claimed = try await withThrowingTaskGroup(of: [RunLease].self) { group in
        for store in stores {
          group.addTask {
            do {
              return try await store.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 3, duration: .seconds(30))
            } catch StateStoreError.busy {
              return []  // gave up waiting for the others (a loaded machine): claims nothing this time
            }
          }
        }
        return try await group.reduce(into: [RunLease]()) { $0 += $1 }
      }
      #expect(claimed.count == 3)
      #expect(Set(claimed.map(\.runId)).count == 3)
      for store in stores { try await store.close() }
    }
  }
}
