import Foundation
import RunState
import Synchronization
import TestSupport
import Testing
import VRAModels

@testable import Engine
@testable import RunState

/// What only a store shared by processes on several machines must get right: PostgreSQL under
/// writers that really run at the same time (a pool per store, several stores).
@Suite struct PostgresStoreTests {
  /// Replicas starting together on a new database: each migration runs once, none fails.
  @Test func replicasMigratingTogetherAllOpen() async throws {
    try await StoreBackend.postgres.withFreshDatabase { database in
      let stores = try await withThrowingTaskGroup(of: SQLStateStore.self) { group in
        for _ in 0..<4 { group.addTask { try await SQLStateStore.open(database) } }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      #expect(stores.count == 4)
      let run = try await stores[0].makeRun(stages: ["a"])
      #expect(try await stores[3].run(run.id)?.id == run.id)
      for store in stores { try await store.close() }
    }
  }

  /// An expired lease taken over by several replicas at once: exactly one gets it, with the next
  /// epoch, and only its writes go through.
  @Test func oneReplicaWinsATakeoverRace() async throws {
    try await StoreBackend.postgres.withFreshDatabase { database in
      let clock = ManualClock()
      let first = try await SQLStateStore.openForTest(database, clock: clock)
      let run = try await first.makeRun(stages: ["a"])
      let old = try await first.acquireLease(run: run.id, duration: .seconds(1), mode: .ifFree)
      clock.advance(seconds: 5)
      var replicas: [SQLStateStore] = []
      for _ in 0..<5 { replicas.append(try await SQLStateStore.openForTest(database, clock: clock)) }
      let winners = await withTaskGroup(of: (SQLStateStore, RunLease)?.self) { group in
        for replica in replicas {
          group.addTask {
            guard let lease = try? await replica.acquireLease(run: run.id, duration: .seconds(30), mode: .takeover)
            else { return nil }
            return (replica, lease)
          }
        }
        return await group.reduce(into: [(SQLStateStore, RunLease)]()) { if let won = $1 { $0.append(won) } }
      }
      try #require(winners.count == 1)
      let (winner, lease) = winners[0]
      #expect(lease.epoch == old.epoch + 1)
      // The old owner's write is refused by the epoch; the winner's goes through.
      await #expect(throws: StateStoreError.self) { try await first.updateRunStatus(run.id, to: .running) }
      try await winner.updateRunStatus(run.id, to: .running)
      for loser in replicas where loser !== winner {
        await #expect(throws: StateStoreError.self) { try await loser.updateRunStatus(run.id, to: .failed) }
      }
      #expect(try await first.run(run.id)?.status == .running)
      // The log names who wrote: the winner, under its epoch; epochs never go down along the run.
      let writers = try await winner.eventWriters(of: run.id)
      #expect(writers.last?.writer == winner.owner.id)
      #expect(writers.last?.epoch == lease.epoch)
      let epochs = writers.compactMap(\.epoch)
      #expect(epochs == epochs.sorted())
      for store in replicas + [first] { try await store.close() }
    }
  }

  /// Two replicas given the same Idempotency-Key at the same moment record one run.
  @Test func aKeySubmittedToTwoReplicasAtOnceRecordsOneRun() async throws {
    try await StoreBackend.postgres.withFreshDatabase { database in
      let stores = [try await SQLStateStore.open(database), try await SQLStateStore.open(database)]
      let scope = RunScope(tenant: "acme", principal: "ci")
      let outcomes = try await withThrowingTaskGroup(of: SubmissionOutcome.self) { group in
        for (index, store) in stores.enumerated() {
          group.addTask {
            try await store.submitRun(
              id: RunID.generate(), planName: "p", planPath: "plan.yaml", planDigest: "sha256:1", options: [:],
              stages: ["a", "b"], target: nil,
              submission: RunSubmissionRecord(
                scope: scope, idempotencyKey: "key-1", requestDigest: "d", bundle: "{\"n\":\(index)}"))
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      let created = outcomes.filter { if case .created = $0 { true } else { false } }
      #expect(created.count == 1)
      #expect(try await stores[0].runs(matching: RunQuery(tenant: "acme", limit: 10)).count == 1)
      for store in stores { try await store.close() }
    }
  }

  /// Events of one run written by many tasks through a pool come back in commit order, so a
  /// reader tailing with `after:` never skips one committed later with a smaller number.
  @Test func aTailingReaderMissesNoEvent() async throws {
    try await StoreBackend.postgres.withFreshDatabase { database in
      let writer = try await SQLStateStore.open(database)
      let reader = try await SQLStateStore.open(database)
      let run = try await writer.makeRun(stages: ["a"])
      let finished = Flag()
      let writes = Task {
        defer { finished.raise() }
        try await withThrowingTaskGroup(of: Void.self) { group in
          for index in 0..<200 {
            group.addTask {
              try await writer.appendEvent(run: run.id, stage: nil, kind: "test", message: "\(index)", data: nil)
            }
          }
          try await group.waitForAll()
        }
      }
      // Tail while the writes go on, then once more after the last commit.
      var seen: [EventRecord] = []
      while !finished.isRaised {
        seen += try await reader.events(of: run.id, after: seen.last?.sequence)
      }
      try await writes.value
      seen += try await reader.events(of: run.id, after: seen.last?.sequence)
      let all = try await reader.events(of: run.id)
      #expect(seen == all)
      try await writer.close()
      try await reader.close()
    }
  }

  @Test func aURLIsCheckedPartByPartWithoutShowingThePassword() throws {
    #expect(throws: StateURLError.self) { try StateDatabase.parse("postgres://vra:s3cret@db/") }
    do {
      _ = try StateDatabase.parse("postgres://vra:s3cret-canary@db.local/state?sslmode=verify")
      Issue.record("an unknown sslmode was accepted")
    } catch {
      #expect(error.part == "sslmode")
      #expect(!error.description.contains("s3cret-canary"))
    }
    let parsed = try StateDatabase.parse(
      "postgresql://vra:pw-canary@db.local:6543/state?sslmode=verify-full&sslrootcert=/etc/ca.pem&pool_size=4")
    guard case .postgres(let location) = parsed else {
      Issue.record("not read as PostgreSQL")
      return
    }
    #expect(location.host == "db.local")
    #expect(location.port == 6543)
    #expect(location.database == "state")
    #expect(location.tlsMode == .verifyFull)
    #expect(location.poolSize == 4)
    #expect(location.urlPassword == "pw-canary")
    #expect(!parsed.description.contains("pw-canary"))
    #expect(try StateDatabase.parse("sqlite:.vra-engine/x.db") == .sqlite(path: ".vra-engine/x.db"))
  }
}

/// A flag one task raises and another polls.
final class Flag: Sendable {
  private let raised = Mutex(false)

  func raise() { raised.withLock { $0 = true } }
  var isRaised: Bool { raised.withLock { $0 } }
}

/// A process stalled past its lease (SIGSTOP) sends nothing until its next renewal says whether the
/// run is still its own.
@Suite struct StalledOwnerTests {
  @Test func aRequestPastTheLeaseWaitsForTheRenewalsVerdict() async throws {
    let run = RunID(rawValue: "run-1")
    let control = RunControl()
    control.leaseKept(since: .now, for: .seconds(60))
    try await control.confirmLease(of: run)

    // Past the lease, renewed: the request goes, after the renewal and not before.
    control.leaseKept(since: .now - .seconds(2), for: .seconds(1))
    let renewed = Flag()
    let goes = Task {
      try await control.confirmLease(of: run)
      return renewed.isRaised
    }
    // Renew only once the request is known to be waiting (polled with a deadline, not slept on).
    let deadline = ContinuousClock.now + .seconds(30)
    while control.leaseWaiterCount == 0 {
      try #require(ContinuousClock.now < deadline, "the request past its lease never waited")
      await Task.yield()
    }
    renewed.raise()
    control.leaseKept(since: .now, for: .seconds(60))
    #expect(try await goes.value, "the request waited for the renewal")

    // Past the lease, taken over: the request is refused and the run stops without acting.
    control.leaseKept(since: .now - .seconds(2), for: .seconds(1))
    let refused = Task { try await control.confirmLease(of: run) }
    control.stop(.leaseLost)
    await #expect(throws: StateStoreError.self) { try await refused.value }
    #expect(control.reason == .leaseLost)
  }
}

/// A store whose database stops answering fails its calls within the connect timeout (the pool
/// alone would wait forever), and works again once the database is back.
@Suite struct PostgresOutageTests {
  @Test func callsFailWithinTheConnectTimeoutAndRecover() async throws {
    let cluster = try await PostgresTestCluster.shared()
    let database = try await cluster.makeDatabase()
    let location = try PostgresStateLocation.parse(database.url + "?connect_timeout=2&pool_size=1")
    let store = try await SQLStateStore.openPostgres(location)
    let run = try await store.makeRun(stages: ["a"])
    try await cluster.psql(
      """
      ALTER DATABASE \(database.database) ALLOW_CONNECTIONS false;
      SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database.database)';
      """)
    let started = ContinuousClock.now
    do {
      _ = try await store.run(run.id)
      Issue.record("a read succeeded while the database refused connections")
    } catch let error as StateStoreError {
      guard case .database = error else {
        Issue.record("unexpected error \(error)")
        return
      }
    }
    #expect(ContinuousClock.now - started < .seconds(30), "failed within the timeout, not after a hang")
    try await cluster.psql("ALTER DATABASE \(database.database) ALLOW_CONNECTIONS true")
    let deadline = ContinuousClock.now + .seconds(30)
    var back: RunRecord?
    while back == nil, ContinuousClock.now < deadline {
      back = try? await store.run(run.id)
    }
    #expect(back?.id == run.id, "the store works again once the database is back")
    try await store.close()
  }
}
