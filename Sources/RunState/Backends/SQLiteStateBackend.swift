import Foundation
import Logging
import SQLKit
import SQLiteKit
import VRAModels

/// The SQLite side of the state store: one connection to a file, in WAL mode.
///
/// Settings, applied on every open:
/// - `journal_mode = WAL`: readers never block the writer and the other way round, so `apply`,
///   `vra-engine cancel RUN_ID` and `vra-engine runs` can use the file at the same time.
///   WAL is stored in the file; the pragma checks it took (it does not on network file systems).
/// - `busy_timeout`: a process that finds the file locked by another waits up to this long
///   instead of failing at once. It replaces SQLiteNIO's default handler, which waits forever.
/// - `synchronous = FULL`: in WAL mode this syncs the WAL on every commit, so a transaction that
///   returned survives power loss and an OS crash, not only a killed process. `NORMAL` would only
///   sync at checkpoints, and the last commits could roll back after a power cut; for this store
///   that would be an intent lost after the POST went out, the one case that can duplicate a
///   deployment. The cost is one fsync per commit: a few per stage (progress goes to the event log
///   in batches, not per tick), and one for all the writes that queued up while the last commit was
///   made (`WriteQueue`).
/// - `foreign_keys = ON`: stages, events and delete requests must belong to a run.
/// - Writes start with `BEGIN IMMEDIATE`: the write lock is taken when the transaction starts
///   (waiting under the busy timeout), never upgraded from a read lock mid-transaction, which in
///   WAL mode fails with SQLITE_BUSY at once, whatever the timeout.
struct SQLiteStateBackend: SQLStateBackend {
  let connection: SQLiteConnection
  private let database: any SQLDatabase
  let location: String
  /// Closes the connection if the backend is dropped without `close()` (a store abandoned on an
  /// error path): SQLiteNIO traps on a connection deallocated open.
  private let closeGuard: ConnectionCloseGuard

  init(connection: SQLiteConnection, database: any SQLDatabase, location: String) {
    self.connection = connection
    self.database = database
    self.location = location
    self.closeGuard = ConnectionCloseGuard(connection)
  }

  var beginWriteTransaction: String { "BEGIN IMMEDIATE" }
  var isSingleConnection: Bool { true }

  func withDatabase<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
    try await body(database)
  }

  // The whole file is locked by `BEGIN IMMEDIATE`: no finer lock is needed.
  func lockRun(_ db: any SQLDatabase, _ run: RunID) async throws {}
  func lockTenant(_ db: any SQLDatabase, _ tenant: String) async throws {}
  func lockEnvironment(_ db: any SQLDatabase, _ name: String) async throws {}
  func lockTrackerLease(_ db: any SQLDatabase, _ scopeKey: String) async throws {}
  func lockForMigration(_ db: any SQLDatabase) async throws {}
  func limitLockWait(_ db: any SQLDatabase, to wait: Duration) async throws {}
  func lockingSkippingLocked(_ select: SQLSelectBuilder) -> SQLSelectBuilder { select }
  // The file is on this machine: the processes sharing it share its clock.
  func transactionTime(_ db: any SQLDatabase) async throws -> Date? { nil }

  /// Opens (creating it and its parent directories if needed) the database file at `path`.
  ///
  /// Opening and closing run in tasks of their own: SQLiteNIO's thread pool refuses work for a
  /// cancelled task, and a connection opened but then not closed (its close refused) is a leak
  /// that SQLiteNIO asserts on. A caller cancelled meanwhile (Ctrl-C, a service shutting down)
  /// gets a store that is either whole or closed.
  static func open(path: String, busyTimeout: Duration, logger: Logger) async throws -> SQLiteStateBackend {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    return try await Task.detached {
      let connection = try await SQLiteConnection.open(storage: .file(path: url.path), logger: logger)
      let backend = SQLiteStateBackend(
        connection: connection, database: connection.sql(queryLogLevel: nil), location: url.path)
      do {
        try await backend.configure(busyTimeout: busyTimeout)
      } catch {
        try? await connection.close()
        throw error
      }
      return backend
    }.value
  }

  private func configure(busyTimeout: Duration) async throws {
    let milliseconds = max(0, busyTimeout.milliseconds)
    _ = try await pragma("busy_timeout = \(milliseconds)")
    let mode = try await pragma("journal_mode = WAL") ?? "unknown"
    guard mode.lowercased() == "wal" else {
      throw StateStoreError.journalModeUnavailable(path: location, mode: mode)
    }
    _ = try await pragma("synchronous = FULL")
    _ = try await pragma("foreign_keys = ON")
  }

  /// Runs `PRAGMA text` and returns the first column of the first row, as text, if any.
  private func pragma(_ text: String) async throws -> String? {
    let rows = try await connection.query("PRAGMA \(text)")
    return rows.first?.columns.first?.data.string
  }

  func close() async throws {
    let connection = self.connection
    try await Task.detached { try await connection.close() }.value
  }
}

/// Closes its connection when the last backend holding it goes away unclosed. The close keeps the
/// connection alive until it ran (closing one already closed does nothing).
private final class ConnectionCloseGuard: Sendable {
  let connection: SQLiteConnection

  init(_ connection: SQLiteConnection) { self.connection = connection }

  deinit {
    let connection = self.connection
    if !connection.isClosed { _ = connection.close() }
  }
}
