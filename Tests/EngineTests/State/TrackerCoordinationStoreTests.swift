import Foundation
import RunState
import Testing

@testable import RunState

/// The store's side of cross-replica tracking (tracker leases, watch rows, published
/// observations), on both backends: several stores on one database are several replicas.
@Suite struct TrackerCoordinationStoreTests {
  /// Opens `count` stores on one fresh database, all timed by `clock`, and closes them after.
  private func withReplicas(
    _ backend: StoreBackend, count: Int, clock: ManualClock = ManualClock(),
    _ body: ([SQLStateStore]) async throws -> Void
  ) async throws {
    try await backend.withFreshDatabase { database in
      var stores: [SQLStateStore] = []
      for _ in 0..<count { stores.append(try await SQLStateStore.openForTest(database, clock: clock)) }
      do {
        try await body(stores)
      } catch {
        for store in stores { try? await store.close() }
        throw error
      }
      for store in stores { try await store.close() }
    }
  }

  private static let scope = "team-a@https://vra.example/|org#project-1"

  @Test(arguments: StoreBackend.allCases)
  func replicasRacingForATrackerLeaseHaveOneWinner(_ backend: StoreBackend) async throws {
    // SQLite: two connections of one process (more would all wait on the file lock in SQLiteNIO's
    // two pool threads, the holder's COMMIT among them); one host is SQLite's case anyway.
    try await withReplicas(backend, count: backend == .sqlite ? 2 : 5) { stores in
      let winners = try await withThrowingTaskGroup(of: (Int, TrackerLease)?.self) { group in
        for (index, store) in stores.enumerated() {
          group.addTask {
            try await store.acquireTrackerLease(scopeKey: Self.scope, duration: .seconds(10)).map { (index, $0) }
          }
        }
        return try await group.reduce(into: [(Int, TrackerLease)]()) { if let won = $1 { $0.append(won) } }
      }
      try #require(winners.count == 1)
      let (index, lease) = winners[0]
      #expect(lease.ownerId == stores[index].owner.id)
      #expect(lease.epoch == 1)
      // While it lives, nobody else gets it; its holder renews it.
      for (other, store) in stores.enumerated() where other != index {
        #expect(try await store.acquireTrackerLease(scopeKey: Self.scope, duration: .seconds(10)) == nil)
      }
      #expect(try await stores[index].renewTrackerLease(lease, duration: .seconds(10))?.epoch == 1)
      #expect(try await stores[0].trackerLease(scopeKey: Self.scope)?.ownerId == stores[index].owner.id)
    }
  }

  @Test(arguments: StoreBackend.allCases)
  func anExpiredTrackerLeaseIsTakenOverWithAHigherEpochAndFencesTheOldHolder(_ backend: StoreBackend) async throws {
    let clock = ManualClock()
    try await withReplicas(backend, count: 2, clock: clock) { stores in
      let (old, new) = (stores[0], stores[1])
      let key = TrackerWatchKey(scopeKey: Self.scope, deploymentId: "d-1", requestId: "r-1")
      let first = try #require(try await old.acquireTrackerLease(scopeKey: Self.scope, duration: .seconds(10)))
      clock.advance(seconds: 9)
      #expect(try await new.acquireTrackerLease(scopeKey: Self.scope, duration: .seconds(10)) == nil)
      clock.advance(seconds: 2)
      let second = try #require(try await new.acquireTrackerLease(scopeKey: Self.scope, duration: .seconds(10)))
      #expect(second.epoch == first.epoch + 1)
      #expect(second.ownerId == new.owner.id)
      // The old holder (stalled past its lease) can neither renew nor publish any more.
      #expect(try await old.renewTrackerLease(first, duration: .seconds(10)) == nil)
      #expect(
        try await old.publishTrackerObservation(key, kind: "progress", isFinal: false, update: "{}", under: first)
          == false)
      #expect(try await old.trackerObservations(scopeKey: Self.scope).isEmpty)
      #expect(
        try await new.publishTrackerObservation(key, kind: "progress", isFinal: false, update: "{}", under: second))
      // Released: the next replica takes it at once.
      try await new.releaseTrackerLease(second)
      let third = try #require(try await old.acquireTrackerLease(scopeKey: Self.scope, duration: .seconds(10)))
      #expect(third.epoch == second.epoch + 1)
    }
  }

  @Test(arguments: StoreBackend.allCases)
  func observationsAreUpsertedAndReadBackExactly(_ backend: StoreBackend) async throws {
    let clock = ManualClock()
    try await withReplicas(backend, count: 2, clock: clock) { stores in
      let lease = try #require(try await stores[0].acquireTrackerLease(scopeKey: Self.scope, duration: .seconds(10)))
      let key = TrackerWatchKey(scopeKey: Self.scope, deploymentId: "d-1", requestId: nil)
      let other = TrackerWatchKey(scopeKey: Self.scope, deploymentId: "d-2", requestId: "r-2")
      let progress = #"{"kind":"progress","completedTasks":1,"details":"ünïcode \"quoted\" 'x'"}"#
      try await stores[0].publishTrackerObservation(
        key, kind: "progress", isFinal: false, update: progress, under: lease)
      try await stores[0].publishTrackerObservation(other, kind: "progress", isFinal: false, update: "{}", under: lease)
      #expect(
        try await stores[1].trackerObservations(scopeKey: Self.scope, deploymentIds: ["d-1"]) == [
          TrackerObservation(
            key: key, kind: "progress", isFinal: false, update: progress, observedAt: StoredValues.stored(clock.now),
            epoch: lease.epoch)
        ])
      clock.advance(seconds: 1)
      let terminal = #"{"kind":"terminal","completedTasks":2}"#
      try await stores[0].publishTrackerObservation(
        key, kind: "terminal", isFinal: true, update: terminal, under: lease)
      // A final update stays: a late progress update does not replace it.
      try await stores[0].publishTrackerObservation(
        key, kind: "progress", isFinal: false, update: progress, under: lease)
      let read = try await stores[1].trackerObservations(scopeKey: Self.scope)
      #expect(read.map(\.key) == [key, other])
      #expect(read[0].kind == "terminal" && read[0].isFinal && read[0].update == terminal)
      #expect(read[0].observedAt == StoredValues.stored(clock.now))
      #expect(read[0].key.followedRequestId == nil)
      #expect(try await stores[1].trackerObservations(scopeKey: Self.scope, deploymentIds: []).isEmpty)
      #expect(try await stores[1].trackerObservations(scopeKey: "another#scope").isEmpty)
    }
  }

  @Test(arguments: StoreBackend.allCases)
  func watchesOfDeadReplicasAndUnwatchedObservationsAreSwept(_ backend: StoreBackend) async throws {
    let clock = ManualClock()
    try await withReplicas(backend, count: 2, clock: clock) { stores in
      let (alive, dead) = (stores[0], stores[1])
      let shared = TrackerWatchKey(scopeKey: Self.scope, deploymentId: "d-1", requestId: "r-1")
      let deadOnly = TrackerWatchKey(scopeKey: Self.scope, deploymentId: "d-2", requestId: "r-2")
      try await alive.registerTrackerWatch(shared, replicaId: alive.owner.id, runId: "run-a")
      try await dead.registerTrackerWatch(shared, replicaId: dead.owner.id, runId: "run-b")
      try await dead.registerTrackerWatch(deadOnly, replicaId: dead.owner.id, runId: "run-b")
      try await dead.registerTrackerWatch(deadOnly, replicaId: dead.owner.id, runId: "run-b")  // idempotent
      let lease = try #require(try await alive.acquireTrackerLease(scopeKey: Self.scope, duration: .seconds(10)))
      for key in [shared, deadOnly] {
        try await alive.publishTrackerObservation(key, kind: "progress", isFinal: false, update: "{}", under: lease)
      }
      #expect(try await alive.trackerWatches(scopeKey: Self.scope).count == 3)

      clock.advance(seconds: 45)
      try await alive.refreshTrackerWatches(replicaId: alive.owner.id)
      clock.advance(seconds: 30)
      let swept = try await alive.sweepTrackerState(staleAfter: .seconds(60))
      #expect(swept == TrackerSweep(watches: 2, observations: 1))
      let left = try await alive.trackerWatches(scopeKey: Self.scope)
      #expect(left.map(\.replicaId) == [alive.owner.id])
      #expect(left.first?.runId == "run-a")
      #expect(try await alive.trackerObservations(scopeKey: Self.scope).map(\.key) == [shared])

      // The last watch of a key takes its observation with it.
      try await alive.removeTrackerWatch(shared, replicaId: alive.owner.id)
      #expect(try await alive.trackerWatches(scopeKey: Self.scope).isEmpty)
      #expect(try await alive.trackerObservations(scopeKey: Self.scope).isEmpty)

      // A replica's graceful shutdown removes all of its rows.
      try await dead.registerTrackerWatch(shared, replicaId: dead.owner.id, runId: nil)
      try await alive.registerTrackerWatch(deadOnly, replicaId: alive.owner.id, runId: nil)
      try await dead.removeTrackerWatches(replicaId: dead.owner.id)
      #expect(try await alive.trackerWatches(scopeKey: Self.scope).map(\.key) == [deadOnly])
    }
  }
}
