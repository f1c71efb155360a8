import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// The PostgreSQL side of the state store: a pool of connections (`PostgresClient`) shared by all
/// of the store's operations, which run concurrently, each on one connection.
///
/// How it keeps several processes (`serve` replicas, a CLI) correct on one database:
/// - every write of a run first locks the run's row (`SELECT … FOR UPDATE`), so the lease check
///   and the write that follows are one decision, and a run's events are numbered in commit order;
/// - a claim of a tenant's queued runs takes a transaction-scoped advisory lock on the tenant
///   (its quota is counted and filled by one replica at a time) and skips rows another
///   transaction holds (`FOR UPDATE SKIP LOCKED`);
/// - migrations take a transaction-scoped advisory lock, so replicas starting together migrate once;
/// - lease times come from the database's clock (`clock_timestamp()`), which every replica shares.
final class PostgresStateBackend: SQLStateBackend {
  let client: PostgresClient
  let location: String
  private let running: Task<Void, Never>
  private let usesDatabaseClock: Bool
  private let connectTimeout: Duration
  /// Tells a busy pool (wait on) from a database out of reach (give up).
  private let probe: ReachabilityProbe

  /// How long the server lets a session of the store sit idle inside a transaction: far longer than
  /// a running process takes between two statements of one, shorter than a lease (30 s by default,
  /// 3 s in the tests), so a stalled replica's locks are gone by the time its leases have expired.
  static let idleInTransactionTimeout: Duration = .seconds(2)

  /// A fixed key for the migration lock (any 64-bit number that no other advisory lock here uses).
  static let migrationLockKey: Int64 = 0x7672_615f_6d69_6772  // "vra_migr"

  private init(
    client: PostgresClient, location: String, running: Task<Void, Never>, usesDatabaseClock: Bool,
    connectTimeout: Duration, probe: ReachabilityProbe
  ) {
    self.client = client
    self.location = location
    self.running = running
    self.usesDatabaseClock = usesDatabaseClock
    self.connectTimeout = connectTimeout
    self.probe = probe
  }

  var beginWriteTransaction: String { "BEGIN" }
  var isSingleConnection: Bool { false }

  /// Connects to `location` and checks the database answers (within the connect timeout).
  ///
  /// - Parameters:
  ///   - password: the resolved password (`state.password`), else the URL's.
  ///   - usesDatabaseClock: time writes by the database's clock (false when a test injects one).
  static func open(
    _ location: PostgresStateLocation, password: String?, usesDatabaseClock: Bool, logger: Logger
  ) async throws -> PostgresStateBackend {
    let tlsConfiguration = try tls(for: location)
    var configuration = PostgresClient.Configuration(
      host: location.host, port: location.port, username: location.user,
      password: password ?? location.urlPassword, database: location.database, tls: tlsConfiguration.pool)
    configuration.options.maximumConnections = location.poolSize
    configuration.options.connectTimeout = location.connectTimeout
    // A process stopped inside a write transaction (SIGSTOP, a paused VM) would keep the rows it
    // locked, and other replicas' takeovers of those runs would wait until it woke. The server ends
    // such a session instead (its transaction rolls back, its locks go); the store's transactions
    // never wait on the process between statements, and the store makes a write whose session ended
    // before its COMMIT again on a new connection (`StoreConnectionLost`).
    configuration.options.additionalStartupParameters = [
      ("idle_in_transaction_session_timeout", "\(Int(Self.idleInTransactionTimeout / .milliseconds(1)))")
    ]
    let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    let running = Task { await client.run() }
    let backend = PostgresStateBackend(
      client: client, location: location.description, running: running, usesDatabaseClock: usesDatabaseClock,
      connectTimeout: location.connectTimeout,
      probe: ReachabilityProbe(
        configuration: PostgresConnection.Configuration(
          host: location.host, port: location.port, username: location.user,
          password: password ?? location.urlPassword, database: location.database, tls: tlsConfiguration.single),
        logger: logger))
    do {
      try await backend.checkConnection(within: location.connectTimeout)
    } catch {
      await backend.stop()
      throw error
    }
    return backend
  }

  /// The TLS settings `sslmode` and `sslrootcert` ask for, for the pool and for a lone connection.
  private static func tls(
    for location: PostgresStateLocation
  ) throws -> (pool: PostgresClient.Configuration.TLS, single: PostgresConnection.Configuration.TLS) {
    var tls = TLSConfiguration.makeClientConfiguration()
    if let path = location.rootCertificatePath {
      do {
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
      } catch {
        throw StateStoreError.database(
          operation: "reading sslrootcert \(path)", detail: "not a readable PEM certificate file (\(error))")
      }
    }
    let required: Bool
    switch location.tlsMode {
    case .disable: return (.disable, .disable)
    case .prefer:
      tls.certificateVerification = .none
      required = false
    case .require:
      // libpq's meaning: encrypted, not verified (unless a root certificate is given: then verified, as libpq does).
      tls.certificateVerification = location.rootCertificatePath == nil ? .none : .noHostnameVerification
      required = true
    case .verifyCA:
      tls.certificateVerification = .noHostnameVerification
      required = true
    case .verifyFull:
      tls.certificateVerification = .fullVerification
      required = true
    }
    let context = try NIOSSLContext(configuration: tls)
    return required ? (.require(tls), .require(context)) : (.prefer(tls), .prefer(context))
  }

  /// `SELECT 1`, bounded: the pool retries connecting forever, a user should hear why it cannot.
  private func checkConnection(within timeout: Duration) async throws {
    let client = self.client
    let location = self.location
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        do {
          try await client.withConnection { connection in
            _ = try await connection.query("SELECT 1", logger: connection.logger)
          }
        } catch {
          throw StateStoreError.database(operation: "connecting to \(location)", detail: Self.describe(error))
        }
      }
      group.addTask {
        try await Task.sleep(for: timeout + .seconds(1))
        throw StateStoreError.database(
          operation: "connecting to \(location)", detail: "no connection within \(timeout) (is the server up?)")
      }
      defer { group.cancelAll() }
      try await group.next()
    }
  }

  /// Runs `body` on a pooled connection. Waiting for the connection is bounded by the connect
  /// timeout (the pool retries connecting forever: a store whose database is down fails its calls
  /// with a clear error instead of hanging); once `body` has its connection it is never cut short,
  /// so a transaction always ends with its COMMIT or ROLLBACK.
  func withDatabase<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
    let (client, location, timeout, probe) = (client, location, connectTimeout, probe)
    let wait = ConnectionWait.Decision()
    do {
      return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
          // The pool hands out a connection the server closed until it has seen it close (a
          // moment later): such a one is given back at once and another one asked for.
          while true {
            let use: PooledUse<T> = try await client.withConnection { connection in
              guard !connection.isClosed else { return .closed }
              guard wait.decide({ $0.acquire() }) else { throw CancellationError() }
              return .used(try await body(WatchedPostgresDatabase(connection)))
            }
            if case .used(let value) = use { return value }
            try await Task.sleep(for: .milliseconds(10))
          }
        }
        group.addTask {
          // Every connect timeout without a connection: a pool busy with other calls is waited
          // on; a database this process cannot reach ends the call.
          while true {
            try await Task.sleep(for: timeout)
            if wait.decide({ $0 == .acquired }) { return nil }
            if let failure = await probe.failure(within: timeout), wait.decide({ $0.giveUp() }) {
              throw StateStoreError.database(operation: "connecting to \(location)", detail: failure)
            }
          }
        }
        while let result = try await group.next() {
          if let value = result {
            group.cancelAll()
            return value
          }
        }
        throw CancellationError()
      }
    } catch let error as StateStoreError {
      throw error
    } catch let error as PSQLError {
      throw WatchedPostgresDatabase.classified(error)
    }
  }

  /// What a call did with the pooled connection it was handed.
  private enum PooledUse<Value: Sendable>: Sendable {
    case used(Value)
    /// It was closed already: not used.
    case closed
  }

  /// Whether a call got its connection before the connect timeout, decided once.
  private enum ConnectionWait {
    case waiting, acquired, gaveUp

    /// The one decision, shared by the call and its timer.
    final class Decision: Sendable {
      private let state = Mutex(ConnectionWait.waiting)
      func decide(_ change: (inout ConnectionWait) -> Bool) -> Bool { state.withLock { change(&$0) } }
    }

    mutating func acquire() -> Bool {
      guard self == .waiting else { return false }
      self = .acquired
      return true
    }

    mutating func giveUp() -> Bool {
      guard self == .waiting else { return false }
      self = .gaveUp
      return true
    }
  }

  func lockRun(_ db: any SQLDatabase, _ run: RunID) async throws {
    try await db.select().column("id").from(StateTable.runs).where("id", .equal, run.rawValue)
      .lockingClause(SQLLockingClause.update).run()
  }

  func lockTenant(_ db: any SQLDatabase, _ tenant: String) async throws {
    // Two 32-bit keys: a namespace (so no other lock collides) and the tenant's hash.
    try await db.raw("SELECT pg_advisory_xact_lock(1986359923, hashtext(\(bind: tenant)))").run()
  }

  func lockEnvironment(_ db: any SQLDatabase, _ name: String) async throws {
    try await db.raw("SELECT pg_advisory_xact_lock(1986359924, hashtext(\(bind: name)))").run()
  }

  func limitLockWait(_ db: any SQLDatabase, to wait: Duration) async throws {
    // SET takes no parameters; set_config does (true: for this transaction only, as SET LOCAL).
    let milliseconds = max(1, Int((wait / .milliseconds(1)).rounded(.up)))
    try await db.raw("SELECT set_config('lock_timeout', \(bind: "\(milliseconds)ms"), true)").run()
  }

  func lockingSkippingLocked(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
    select.lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED"))
  }

  func lockTrackerLease(_ db: any SQLDatabase, _ scopeKey: String) async throws {
    // Shared: publishers of one scope do not wait for each other, a takeover (an UPDATE) waits for them.
    try await db.select().column("scope_key").from(StateTable.trackerLeases).where("scope_key", .equal, scopeKey)
      .lockingClause(SQLLockingClause.share).run()
  }

  func lockForMigration(_ db: any SQLDatabase) async throws {
    try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Self.migrationLockKey))").run()
  }

  func transactionTime(_ db: any SQLDatabase) async throws -> Date? {
    guard usesDatabaseClock else { return nil }
    let milliseconds = try await db.raw(
      "SELECT CAST(floor(extract(epoch FROM clock_timestamp()) * 1000) AS BIGINT) AS now"
    ).first(decodingColumn: "now", as: Int64.self)
    return milliseconds.map(StoredValues.date(milliseconds:))
  }

  func close() async throws { await stop() }

  private func stop() async {
    running.cancel()
    await running.value
  }

  /// What a PostgreSQL error says, without the driver's generic text (which hides the server's message).
  static func describe(_ error: any Error) -> String {
    guard let error = error as? PSQLError else { return String(describing: error) }
    if let info = error.serverInfo {
      let code = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
      return (info[.message] ?? "server error") + code
    }
    if let underlying = error.underlying { return describe(underlying) }
    return "\(error.code)"
  }
}

/// Whether a new connection to the database can be made now: what a call stuck waiting for a pooled
/// connection asks before giving up. One answer serves every caller for a second, so a burst of
/// waiting calls makes one probe, not a burst of connections.
actor ReachabilityProbe {
  let configuration: PostgresConnection.Configuration
  let logger: Logger
  private var last: (at: ContinuousClock.Instant, failure: String?)?
  private var nextId = 0

  init(configuration: PostgresConnection.Configuration, logger: Logger) {
    self.configuration = configuration
    self.logger = logger
  }

  /// Nil when a connection opens within `timeout`; else why not.
  func failure(within timeout: Duration) async -> String? {
    if let last, ContinuousClock.now - last.at < .seconds(1) { return last.failure }
    nextId += 1
    var configuration = configuration
    configuration.options.connectTimeout = .milliseconds(Int64(timeout.seconds * 1000))
    let failure: String?
    do {
      let connection = try await PostgresConnection.connect(configuration: configuration, id: nextId, logger: logger)
      try? await connection.close()
      failure = nil
    } catch {
      failure = "no connection within \(timeout): \(PostgresStateBackend.describe(error))"
    }
    last = (ContinuousClock.now, failure)
    return failure
  }
}

/// A PostgreSQL error as the store reports it: the server's message and SQLSTATE.
struct PostgresFailure: Error, CustomStringConvertible {
  let sqlState: String?
  let description: String

  init(_ error: PSQLError) {
    sqlState = error.serverInfo?[.sqlState]
    description = PostgresStateBackend.describe(error)
  }

  /// 23505: a unique index refused the row (two writers raced to insert the same key).
  var isUniqueViolation: Bool { sqlState == "23505" }
  /// 55P03: a lock was not had within the transaction's `lock_timeout`.
  var isLockNotAvailable: Bool { sqlState == "55P03" }
}
