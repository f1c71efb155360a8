import Foundation
import SQLKit

/// What differs between the SQL databases a `SQLStateStore` can sit on: how a connection is had,
/// how a write transaction starts and locks, and where the time comes from. Everything else
/// (schema, migrations, queries, transitions) is SQLKit builders shared by every backend.
///
/// - SQLite (`SQLiteStateBackend`): one connection to a file; `BEGIN IMMEDIATE` takes the file's
///   write lock, so writes of every process are serialized and the row locks are no-ops.
/// - PostgreSQL (`PostgresStateBackend`): a connection pool; a write locks the rows it decides on
///   (`SELECT … FOR UPDATE`), migrations and tenant quotas take advisory locks, and leases are
///   timed by the database's clock, so replicas on several machines agree on when one expires.
protocol SQLStateBackend: Sendable {
  /// Where the data lives, for messages (never a password).
  var location: String { get }
  /// True when all operations share one connection, so the store runs them one at a time.
  var isSingleConnection: Bool { get }
  /// The statement that opens a transaction which is going to write.
  var beginWriteTransaction: String { get }

  /// Runs `body` on one connection (the same for all of it, so it can hold a transaction).
  func withDatabase<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

  /// Inside a write transaction: keeps other writers of the run out until it ends.
  func lockRun(_ db: any SQLDatabase, _ run: RunID) async throws
  /// Inside a write transaction: keeps other writers of the tenant's runs' leases out until it
  /// ends (so two replicas cannot both fill a tenant's last free slot).
  func lockTenant(_ db: any SQLDatabase, _ tenant: String) async throws
  /// Inside a write transaction: keeps other claims of the environment out until it ends (so two
  /// runs cannot both become the one applying it).
  func lockEnvironment(_ db: any SQLDatabase, _ name: String) async throws
  /// Inside a write transaction: a lock this transaction waits for longer than `wait` ends it with
  /// `StateStoreError.busy` (a scheduling pass skips a row held by a process stopped mid-write
  /// rather than wait for it). SQLite waits its busy timeout, as for any write.
  func limitLockWait(_ db: any SQLDatabase, to wait: Duration) async throws
  /// `select` locking the rows it returns until the transaction ends, skipping rows another
  /// transaction holds (a queue several replicas take work from).
  func lockingSkippingLocked(_ select: SQLSelectBuilder) -> SQLSelectBuilder
  /// Inside a write transaction: keeps a takeover of the scope's tracker lease out until it ends
  /// (so what the tracking replica publishes is decided on the lease it still holds).
  func lockTrackerLease(_ db: any SQLDatabase, _ scopeKey: String) async throws
  /// Inside a write transaction: one process at a time migrates the schema.
  func lockForMigration(_ db: any SQLDatabase) async throws
  /// The time of a write, from the database when it has a clock all its users share; nil: the
  /// store's own clock.
  func transactionTime(_ db: any SQLDatabase) async throws -> Date?

  func close() async throws
}

extension SQLStateBackend {
  var commitTransaction: String { "COMMIT" }
  var rollbackTransaction: String { "ROLLBACK" }
}
