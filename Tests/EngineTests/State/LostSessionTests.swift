import Foundation
import RunState
import SQLKit
import Synchronization
import TestSupport
import Testing

@testable import RunState

/// PostgreSQL sessions that end under the store (the server ends a session idle inside a
/// transaction, an administrator's `pg_terminate_backend`, a restart), and locks a stopped process
/// keeps: the store neither hangs on them nor lets a scheduling pass wait on them.
@Suite struct LostSessionTests {
  /// The session of a write is ended by the server while the write is inside its transaction, and
  /// this process has seen its connection close before the write's next statement: that statement
  /// fails at once (postgres-nio alone would drop it and never answer), and the write is made again
  /// on a new connection, committed once.
  @Test func aWriteWhoseSessionEndedIsMadeAgainOnANewConnection() async throws {
    let cluster = try await PostgresTestCluster.shared()
    let database = try await cluster.makeDatabase()
    let store = try await SQLStateStore.openPostgres(try PostgresStateLocation.parse(database.url))
    let run = try await store.makeRun(stages: ["a"])
    let attempts = Mutex(0)
    let write = Task {
      try await store.write("a test write", run: run.id) { db, now in
        let attempt = attempts.withLock { attempts in
          attempts += 1
          return attempts
        }
        if attempt == 1 {
          let pid = try await db.raw("SELECT pg_backend_pid() AS pid").first(decodingColumn: "pid", as: Int32.self)
          try await cluster.psql("SELECT pg_terminate_backend(\(try #require(pid)))", database: database.database)
          let connection = try #require((db as? WatchedPostgresDatabase)?.connection)
          try await waitFor("this process to see its connection closed") { connection.isClosed }
        }
        _ = try await StateQueries.insertEvent(
          db, run: run.id, stage: nil, at: now, kind: "test", message: "the write", data: nil)
        return attempt
      }
    }
    let attempt = try await valueWithin(.seconds(30), of: write, "the write on a closed connection never ended")
    #expect(attempt == 2, "made again on a new connection")
    #expect(try await store.events(of: run.id).filter { $0.kind == "test" }.count == 1, "committed once")
    try await store.close()
  }

  /// Pooled connections whose sessions the server ended while they were idle: the next read is
  /// answered on a new connection.
  @Test func aReadAfterThePoolsSessionsEndedIsAnswered() async throws {
    let cluster = try await PostgresTestCluster.shared()
    let database = try await cluster.makeDatabase()
    let store = try await SQLStateStore.openPostgres(try PostgresStateLocation.parse(database.url))
    let run = try await store.makeRun(stages: ["a"])
    try await cluster.psql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database.database)'")
    let read = Task { try await store.run(run.id) }
    let found = try await valueWithin(.seconds(30), of: read, "the read on a closed connection never ended")
    #expect(found?.id == run.id)
    try await store.close()
  }

  /// A scheduling pass's claim of a run whose row another transaction holds gives up after
  /// `claimLockWait` (`busy`), long before that transaction ends; free again, it is claimed.
  @Test func aClaimDoesNotWaitForARowAnotherTransactionHolds() async throws {
    try await StoreBackend.postgres.withFreshDatabase { database in
      let holder = try await SQLStateStore.open(database)
      let claimer = try await SQLStateStore.open(database)
      let run = try await holder.makeRun(stages: ["a"])
      let holding = Flag()
      // Busy on the server (not idle), so the server does not end the session meanwhile.
      let hold = Task {
        try await holder.write("holding the run's row", run: run.id, fenced: false) { db, _ in
          holding.raise()
          try await db.raw("SELECT pg_sleep(4)").run()
        }
      }
      try await waitFor("the holder to lock the run's row") { holding.isRaised }
      let started = ContinuousClock.now
      await #expect(throws: StateStoreError.busy(operation: "taking the lease of run \(run.id)")) {
        _ = try await claimer.claimLease(of: run.id, duration: .seconds(30), mode: .ifFree)
      }
      #expect(ContinuousClock.now - started < .seconds(3), "gave up before the holder's transaction ended")
      try await hold.value
      let lease = try await claimer.claimLease(of: run.id, duration: .seconds(30), mode: .ifFree)
      #expect(lease.owner == claimer.owner)
      try await holder.close()
      try await claimer.close()
    }
  }

  /// The same for a claim of a tenant's queue while another transaction holds the tenant's lock.
  @Test func aClaimOfAQueueDoesNotWaitForATenantLockAnotherHolds() async throws {
    try await StoreBackend.postgres.withFreshDatabase { database in
      let holder = try await SQLStateStore.open(database)
      let claimer = try await SQLStateStore.open(database)
      let holding = Flag()
      let backend = await holder.backend
      let hold = Task {
        try await holder.write("holding the tenant") { db, _ in
          try await backend.lockTenant(db, "acme")
          holding.raise()
          try await db.raw("SELECT pg_sleep(4)").run()
        }
      }
      try await waitFor("the holder to lock the tenant") { holding.isRaised }
      await #expect(throws: StateStoreError.busy(operation: "claiming queued runs of tenant acme")) {
        _ = try await claimer.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 1, duration: .seconds(30))
      }
      try await hold.value
      #expect(try await claimer.claimQueuedRuns(tenant: "acme", maxConcurrentRuns: 1, duration: .seconds(30)).isEmpty)
      try await holder.close()
      try await claimer.close()
    }
  }
}

/// Polls `condition` (TestSupport's poll) until it holds; fails naming `what` after `timeout`.
func waitFor(
  _ what: String, timeout: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool
) async throws {
  do {
    _ = try await pollForValue(timeout: timeout) { try await condition() ? true : nil }
  } catch is PollTimeout {
    throw LostSessionTestError("waited \(timeout) for \(what)")
  }
}

/// `task`'s value, or an error when it has none within `timeout` (a hang fails the test instead of
/// hanging it; the task is cancelled and left behind).
func valueWithin<T: Sendable>(_ timeout: Duration, of task: Task<T, any Error>, _ message: String) async throws -> T {
  let outcome = Mutex<Result<T, any Error>?>(nil)
  let watcher = Task {
    let result: Result<T, any Error>
    do {
      result = .success(try await task.value)
    } catch {
      result = .failure(error)
    }
    outcome.withLock { $0 = result }
  }
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if let result = outcome.withLock({ $0 }) { return try result.get() }
    try await Task.sleep(for: .milliseconds(20))
  }
  watcher.cancel()
  task.cancel()
  throw LostSessionTestError("\(message) (\(timeout))")
}

struct LostSessionTestError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
