import Foundation
import Logging
import SQLKit

/// The `StateStore` over SQL, through SQLKit: SQLite (`openSQLite`) and PostgreSQL (`openPostgres`)
/// with the same queries (only `SQLStateBackend` differs).
///
/// SQLite: one connection per store, used by one logical operation at a time (a FIFO `SerialGate`;
/// the actor alone would let calls interleave at every `await`). Each write is committed before
/// the call returns; writes that queue up meanwhile are committed together (`WriteQueue`).
/// Several stores (several processes) may share one database file: SQLite's locking and busy
/// timeout serialize their writes. PostgreSQL: a pool, each write its own transaction.
public actor SQLStateStore: StateStore {
  /// Where the CLI keeps state unless told otherwise (`--state`), relative to the working directory
  /// (when no parent directory has a `.vra-engine/`: see `StateLocation.discover(from:)`).
  public static let defaultPath = ".vra-engine/state.db"

  let backend: any SQLStateBackend
  let clock: @Sendable () -> Date
  let logger: Logger
  /// This store's identity as a lease holder (one per process in the CLI).
  public nonisolated let owner: LeaseOwner
  /// The epochs of the leases this store holds, by run: the fence its writes of those runs check.
  var held: [RunID: Int64] = [:]
  private var gate = SerialGate()
  /// Writes waiting to be committed together (single connection only).
  private var writeQueue = WriteQueue()
  /// Write transactions made (a group counts once; a retry after a lost session does not count).
  package private(set) var transactionsMade = 0
  private var isClosed = false
  /// `close` was called: it waits for the writes queued before it.
  package private(set) var isClosing = false
  /// Test hook: runs (once) after the next write's statements and before its COMMIT.
  private var beforeNextCommit: (@Sendable () async throws -> Void)?

  init(backend: any SQLStateBackend, clock: @escaping @Sendable () -> Date, logger: Logger) {
    self.backend = backend
    self.clock = clock
    self.logger = logger
    self.owner = .current()
  }

  /// Opens the SQLite state database at `path` (creating the file and its parent directories),
  /// in WAL mode, and migrates it to this build's schema.
  ///
  /// - Parameters:
  ///   - busyTimeout: how long to wait for another process's write to finish before failing.
  ///   - clock: the source of `startedAt`, `updatedAt` and event times.
  /// - Throws: `StateStoreError.schemaTooNew` when a newer vra-engine migrated the file;
  ///   `.journalModeUnavailable` when WAL cannot be enabled; `.database` for I/O failures.
  public static func openSQLite(
    at path: String = defaultPath, busyTimeout: Duration = .seconds(10),
    clock: @escaping @Sendable () -> Date = { Date() },
    logger: Logger = Logger(label: "vra-engine.state")
  ) async throws -> SQLStateStore {
    try await openSQLite(
      at: path, busyTimeout: busyTimeout, clock: clock, logger: logger, migrations: StateMigration.all)
  }

  static func openSQLite(
    at path: String, busyTimeout: Duration = .seconds(10), clock: @escaping @Sendable () -> Date = { Date() },
    logger: Logger = Logger(label: "vra-engine.state"), migrations: [StateMigration]
  ) async throws -> SQLStateStore {
    let backend: SQLiteStateBackend
    do {
      backend = try await SQLiteStateBackend.open(path: path, busyTimeout: busyTimeout, logger: logger)
    } catch let error as StateStoreError {
      throw error
    } catch {
      throw StateStoreError.database(operation: "opening \(path)", detail: String(describing: error))
    }
    return try await migrated(SQLStateStore(backend: backend, clock: clock, logger: logger), migrations)
  }

  /// Opens the state database `database` names and migrates it to this build's schema.
  ///
  /// - Parameter password: PostgreSQL's password, already resolved (`state.password`); nil uses
  ///   the URL's, if any. Ignored for SQLite.
  public static func open(
    _ database: StateDatabase, password: String? = nil, logger: Logger = Logger(label: "vra-engine.state")
  ) async throws -> SQLStateStore {
    switch database {
    case .sqlite(let path): try await openSQLite(at: path, logger: logger)
    case .postgres(let location): try await openPostgres(location, password: password, logger: logger)
    }
  }

  /// Opens (and migrates) a PostgreSQL state database; several processes on several machines may
  /// share it (`serve` replicas). Leases are timed by the database's clock unless `clock` is given.
  public static func openPostgres(
    _ location: PostgresStateLocation, password: String? = nil, clock: (@Sendable () -> Date)? = nil,
    logger: Logger = Logger(label: "vra-engine.state")
  ) async throws -> SQLStateStore {
    try await openPostgres(location, password: password, clock: clock, logger: logger, migrations: StateMigration.all)
  }

  static func openPostgres(
    _ location: PostgresStateLocation, password: String?, clock: (@Sendable () -> Date)?, logger: Logger,
    migrations: [StateMigration]
  ) async throws -> SQLStateStore {
    let backend = try await PostgresStateBackend.open(
      location, password: password, usesDatabaseClock: clock == nil, logger: logger)
    return try await migrated(SQLStateStore(backend: backend, clock: clock ?? { Date() }, logger: logger), migrations)
  }

  /// `store` brought to the schema of `migrations`; closed when that fails.
  private static func migrated(_ store: SQLStateStore, _ migrations: [StateMigration]) async throws -> SQLStateStore {
    do {
      try await store.migrate(StateMigrator(migrations: migrations))
    } catch {
      try? await store.close()
      throw error
    }
    return store
  }

  /// Closes the store once the writes already called are made; later calls fail with `.closed`.
  public func close() async throws {
    isClosing = true
    await withCheckedContinuation { writeQueue.waitForIdle($0) }
    try await withGate {
      isClosed = true
      try await backend.close()
    }
  }

  // MARK: Transactions

  /// Runs `body` as one write: committed when it returns, rolled back when it throws.
  ///
  /// A write, once started, runs to its end whatever happens to the calling task: a cancelled run
  /// must still record what vRA accepted (the ids of a request it just submitted), and a transaction
  /// cut short by cancellation would leave the connection inside it, failing every later write.
  /// Its end comes all the same when the database session ends under it (the server ends the
  /// session of a process stopped inside a transaction): a write that lost its session before its
  /// COMMIT is made again on a new connection (up to `sessionLossRetries` times: several pooled
  /// connections may have lost their sessions at once), where its fence check says whether the run is
  /// still this store's (`StoreConnectionLost`).
  ///
  /// On a single connection (SQLite) the writes that queue while one is made are committed
  /// together, each in a savepoint of its own (`WriteQueue`); on a pool (PostgreSQL) each write is
  /// its own transaction, side by side with the others.
  ///
  /// - Parameters:
  ///   - run: the run this write changes: its row is locked first (other writers of it wait), then
  ///     its lease is checked, in the transaction (`StateStore`'s fencing rule); nil for writes that
  ///     belong to no run yet.
  ///   - fenced: false for the writes others may make to a leased run (taking or releasing the
  ///     lease, a cancel request): locked, not fenced.
  ///   - lockWait: the longest the transaction waits for a lock another holds (PostgreSQL's
  ///     `lock_timeout`); past it the write fails with `StateStoreError.busy`. Nil: no limit.
  func write<T: Sendable>(
    _ operation: String, run: RunID? = nil, fenced: Bool = true, lockWait: Duration? = nil,
    _ body: @escaping @Sendable (any SQLDatabase, Date) async throws -> T
  ) async throws -> T {
    let write = QueuedWrite(
      operation: operation, run: run, fenced: fenced, lockWait: lockWait, beforeCommit: beforeNextCommit,
      body: { db, now in try await body(db, now) })
    beforeNextCommit = nil
    let outcome = backend.isSingleConnection ? await commitInGroup(write) : await commit(write)
    // The value is what `body` returned: a `T`.
    return try outcome.get() as! T
  }

  /// Makes `write` with the writes queued behind it, or waits for the group it joins.
  private func commitInGroup(_ write: QueuedWrite) async -> Result<any Sendable, any Error> {
    // A write called after `close` would have queued behind it.
    guard !isClosing else { return .failure(StateStoreError.closed) }
    if writeQueue.isLed {
      let turn = await withCheckedContinuation { writeQueue.wait(write, $0) }
      if case .done(let outcome) = turn { return outcome }
      // The lead was handed over: the queue is still led, by this call now.
    } else {
      writeQueue.lead()
    }
    let outcome = await commit(write)
    let (next, idle) = writeQueue.nextLeader()
    next?.turn.resume(returning: .lead)
    for waiter in idle { waiter.resume() }
    return outcome
  }

  /// Makes `write`, with the writes queued behind it once the connection is free (single
  /// connection), in one transaction; hands those their outcomes and returns its own.
  private func commit(_ write: QueuedWrite) async -> Result<any Sendable, any Error> {
    var followers: [WriteQueue.Waiter] = []
    let outcomes: [Result<any Sendable, any Error>]
    do {
      outcomes = try await withGate {
        transactionsMade += 1
        // Taken once the connection is this call's: the writes queued meanwhile join.
        followers = writeQueue.takeFollowers(of: write)
        let writes = ([write] + followers.map(\.write)).map { write in
          var write = write
          write.epoch = write.run.flatMap { held[$0] }
          return write
        }
        return await Self.commitInOwnTask(writes, backend: backend, owner: owner, clock: clock, logger: logger)
      }
    } catch {
      outcomes = [.failure(error)]
    }
    for (follower, outcome) in zip(followers, outcomes.dropFirst()) { follower.turn.resume(returning: .done(outcome)) }
    return outcomes[0]
  }

  /// Commits `writes` in one transaction on a connection of the backend, in a task of its own
  /// (see `write`), making it again on a new connection when the session was lost before its
  /// COMMIT; returns each write's outcome.
  private static func commitInOwnTask(
    _ writes: [QueuedWrite], backend: any SQLStateBackend, owner: LeaseOwner, clock: @escaping @Sendable () -> Date,
    logger: Logger
  ) async -> [Result<any Sendable, any Error>] {
    await Task.detached {
      var attempt = 1
      while true {
        let runsHooks = attempt == 1
        do {
          return try await backend.withDatabase { db in
            try await Self.transaction(
              db, writes, backend: backend, owner: owner, clock: clock, runsHooks: runsHooks, logger: logger)
          }
        } catch let lost as StoreConnectionLost {
          guard attempt <= Self.sessionLossRetries, lost.leftNothingCommitted else {
            return writes.map {
              .failure(StateStoreError.database(operation: $0.operation, detail: lost.description))
            }
          }
          logger.notice(
            "state store session lost inside a write; writing again on a new connection",
            metadata: ["operation": "\(writes[0].operation)", "error.detail": "\(lost.detail)"])
          attempt += 1
        } catch {
          return writes.map { .failure(Self.mapped(error, $0.operation)) }
        }
      }
    }.value
  }

  /// One attempt of a transaction making `writes` in order on the connection `db`: each write's
  /// own outcome, or a throw when the transaction as a whole failed (then nothing of it was
  /// committed, or, for a session lost during the COMMIT, it is unknown whether it was).
  ///
  /// Writes made together each run inside a savepoint: one that throws is rolled back to it and
  /// fails alone. A write made alone is rolled back with its transaction.
  private static func transaction(
    _ db: any SQLDatabase, _ writes: [QueuedWrite], backend: any SQLStateBackend, owner: LeaseOwner,
    clock: @Sendable () -> Date, runsHooks: Bool, logger: Logger
  ) async throws -> [Result<any Sendable, any Error>] {
    try await execute(db, backend.beginWriteTransaction)
    let together = writes.count > 1
    var outcomes: [Result<any Sendable, any Error>] = []
    do {
      for write in writes {
        if together { try await execute(db, "SAVEPOINT grouped_write") }
        do {
          let value = try await make(write, on: db, backend: backend, owner: owner, localNow: clock())
          if together { try await execute(db, "RELEASE grouped_write") }
          outcomes.append(.success(value))
        } catch let error where together && !(error is StoreConnectionLost) {
          // A failure that ended the transaction itself (SQLite does so for a full disk) fails
          // the rollback to the savepoint, and so the whole group, below.
          try await execute(db, "ROLLBACK TO grouped_write")
          try await execute(db, "RELEASE grouped_write")
          outcomes.append(.failure(mapped(error, write.operation)))
        }
      }
      if runsHooks { for write in writes { try await write.beforeCommit?() } }
      do {
        try await execute(db, backend.commitTransaction)
      } catch var lost as StoreConnectionLost {
        lost.duringCommit = true
        throw lost
      }
      return outcomes
    } catch {
      // A session that ended took its transaction with it: there is nothing to roll back.
      if !(error is StoreConnectionLost) {
        do {
          try await execute(db, backend.rollbackTransaction)
        } catch let rollbackError {
          logger.error(
            "state store rollback failed",
            metadata: ["operation": "\(writes[0].operation)", "error.detail": "\(describe(rollbackError))"])
        }
      }
      throw error
    }
  }

  /// One write's statements, inside a transaction (and its savepoint when made with others).
  private static func make(
    _ write: QueuedWrite, on db: any SQLDatabase, backend: any SQLStateBackend, owner: LeaseOwner, localNow: Date
  ) async throws -> any Sendable {
    if let lockWait = write.lockWait { try await backend.limitLockWait(db, to: lockWait) }
    // The time is read after the run's row lock: a takeover that waited on the lock while
    // the owner renewed must judge the lease by the time it decides, not when it started
    // waiting (it would take over a lease renewed meanwhile).
    if let run = write.run { try await backend.lockRun(db, run) }
    let now = try await backend.transactionTime(db).map(StoredValues.stored) ?? StoredValues.stored(localNow)
    if let run = write.run, write.fenced {
      try await checkFence(db, run: run, heldEpoch: write.epoch, owner: owner, now: now)
    }
    let writer = write.run.flatMap { _ in write.epoch.map { EventWriter(owner: owner.id, epoch: $0) } }
    return try await EventWriter.$current.withValue(writer) { try await write.body(db, now) }
  }

  /// Runs a read; a single statement sees one committed state, so no transaction is needed.
  ///
  /// Like a write, a read that started runs to its end whatever happens to the calling task: a
  /// cancelled caller (Ctrl-C) still needs what it read to record how the run ended, and a
  /// cancellation surfacing as a database error would end the run in a misleading error instead.
  /// A read whose session ended under it is made again on a new connection, as a write is.
  func read<T: Sendable>(
    _ operation: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
  ) async throws -> T {
    try await withGate {
      let backend = self.backend
      return try await Task.detached {
        var attempt = 1
        while true {
          do {
            return try await backend.withDatabase { db in try await body(db) }
          } catch let lost as StoreConnectionLost {
            guard attempt <= Self.sessionLossRetries else {
              throw StateStoreError.database(operation: operation, detail: lost.detail)
            }
            attempt += 1
          } catch {
            throw Self.mapped(error, operation)
          }
        }
      }.value
    }
  }

  /// How many times a write or read that lost its database session is made again: each time on
  /// another connection, so a pool whose sessions the server ended together (a restart, an
  /// administrator ending them) serves it once the pool has seen them close.
  static let sessionLossRetries = 3

  /// One operation at a time on a single connection (SQLite); a pool (PostgreSQL) runs them side by side.
  private func withGate<T>(_ body: () async throws -> T) async throws -> T {
    guard backend.isSingleConnection else {
      guard !isClosed else { throw StateStoreError.closed }
      return try await body()
    }
    if !gate.tryAcquire() {
      await withCheckedContinuation { gate.enqueue($0) }
    }
    defer { gate.release() }
    guard !isClosed else { throw StateStoreError.closed }
    return try await body()
  }

  /// The fencing rule, inside a write transaction: the holder of the run's lease writes only while
  /// its epoch is the stored one; anyone else only while no live owner holds the lease.
  private static func checkFence(
    _ db: any SQLDatabase, run: RunID, heldEpoch: Int64?, owner: LeaseOwner, now: Date
  ) async throws {
    guard let record = try await StateQueries.fetchRun(db, run) else { return }
    if let heldEpoch {
      guard let lease = record.lease, lease.owner.id == owner.id, record.epoch == heldEpoch else {
        throw StateStoreError.leaseLost(run: run, owner: record.lease?.owner)
      }
    } else if let lease = record.lease, lease.owner.id != owner.id, lease.expiresAt > now, !lease.owner.isKnownDead {
      throw StateStoreError.runOwned(run: run, owner: lease.owner, until: lease.expiresAt)
    }
  }

  private static func execute(_ db: any SQLDatabase, _ statement: String) async throws {
    try await db.execute(sql: SQLRaw(statement)) { _ in }
  }

  /// A failure as the store reports it; a lost session is kept as it is, for `write` to decide.
  static func mapped(_ error: any Error, _ operation: String) -> any Error {
    if error is StateStoreError || error is StoreConnectionLost { return error }
    if let failure = error as? PostgresFailure, failure.isLockNotAvailable {
      return StateStoreError.busy(operation: operation)
    }
    return StateStoreError.database(operation: operation, detail: describe(error))
  }

  /// A driver's error as words (PostgreSQL's generic text hides the server's message).
  static func describe(_ error: any Error) -> String {
    PostgresStateBackend.describe(error)
  }

  // MARK: Migrations

  private func migrate(_ migrator: StateMigrator) async throws {
    let latest = migrator.latestVersion
    try await write("preparing schema_migrations") { [backend] db, _ in
      try await backend.lockForMigration(db)
      try await StateMigrator.createTable(db)
      _ = try await StateMigrator.appliedVersions(db, latest: latest)
    }
    for migration in migrator.ordered {
      try await write("applying migration \(migration.version) (\(migration.name))") { [backend] db, now in
        try await backend.lockForMigration(db)
        try await StateMigrator.apply(migration, on: db, latest: latest, at: now)
      }
    }
  }

  // MARK: Test hooks

  /// Makes the next write fail after its statements ran, just before COMMIT, with `error`.
  package func injectFaultBeforeNextCommit(_ error: any Error & Sendable) {
    beforeNextCommit = { throw error }
  }

  /// Runs `hook` after the next write's statements and before its COMMIT (a test kills the process there).
  package func runBeforeNextCommit(_ hook: @escaping @Sendable () async throws -> Void) {
    beforeNextCommit = hook
  }

  /// Writes waiting behind the one being made (single connection).
  package var writesWaiting: Int { writeQueue.count }
}
