import Foundation
import RunState
import TestSupport
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

  /// A queued run claimed by a process of this host that died before starting it is taken by the
  /// next claim at once, not when the claim lapses (its slot of the quota passes with it).
  @Test(arguments: StoreBackend.allCases)
  func aQueuedRunClaimedByADeadProcessIsTakenOverAtOnce(_ backend: StoreBackend) async throws {
    let clock = ManualClock()
    try await withStore(backend, clock: clock) { first, database in
      let second = try await SQLStateStore.openForTest(database, clock: clock)
      let ids = try await submit(first, tenant: "acme", count: 2, clock: clock)
      let claimed = try await first.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 1, duration: .seconds(30))
      #expect(claimed.map(\.runId) == [ids[0]])
      // Its claimant is now a process that no longer exists.
      let dead = try await Self.deadOwner()
      try await first.write("making the claimant a dead process", run: ids[0], fenced: false) { db, _ in
        try await db.update(StateTable.runs).set("lease_owner", to: try StoredValues.encode(dead))
          .where("id", .equal, ids[0].rawValue).run()
      }

      let taken = try await second.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 1, duration: .seconds(30))
      #expect(taken.map(\.runId) == [ids[0]], "the dead claimant's run, within the quota")
      #expect(taken.first?.epoch == claimed[0].epoch + 1)
      let lease = try await second.events(of: ids[0]).last { $0.kind == EventRecord.Kind.runLease }
      #expect(lease?.data?["previousOwner"]?.stringValue == dead.description)
      // A live claimant's run stays its own.
      #expect(
        try await first.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 2, duration: .seconds(30)).map(\.runId) == [
          ids[1]
        ])
      #expect(try await second.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 3, duration: .seconds(30)).isEmpty)
      try await second.close()
    }
  }

  /// A lease owner of this host whose process has exited.
  private static func deadOwner() async throws -> LeaseOwner {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try await ChildProcess.run(process)
    let me = LeaseOwner.current()
    return LeaseOwner(id: "dead-claimant", host: me.host, pid: process.processIdentifier, processTable: me.processTable)
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
