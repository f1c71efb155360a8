import Foundation
import SQLKit

/// Brings a state database to the latest known schema, one migration per transaction
/// (the store drives the transactions).
///
/// Safe when two processes open the same new file at once: each migration re-reads the applied
/// versions inside its write transaction, so the second process finds it done and skips it.
/// A database migrated by a newer build (a version above the latest known) is refused with
/// `StateStoreError.schemaTooNew` before anything is written.
struct StateMigrator: Sendable {
  var migrations: [StateMigration]

  var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

  var ordered: [StateMigration] { migrations.sorted { $0.version < $1.version } }

  static func createTable(_ db: any SQLDatabase) async throws {
    try await db.create(table: StateTable.migrations)
      .ifNotExists()
      .column("version", type: .int, .primaryKey(autoIncrement: false))
      .column("name", type: .text, .notNull)
      .column("applied_at", type: .bigint, .notNull)
      .run()
  }

  /// Applies `migration` unless already recorded, and records it; call inside a write transaction.
  static func apply(_ migration: StateMigration, on db: any SQLDatabase, latest: Int, at now: Date) async throws {
    let applied = try await appliedVersions(db, latest: latest)
    guard !applied.contains(migration.version) else { return }
    try await migration.apply(db)
    try await db.insert(into: StateTable.migrations)
      .columns("version", "name", "applied_at")
      .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(StoredValues.milliseconds(now)))
      .run()
  }

  /// The applied versions; throws `schemaTooNew` when one is above `latest`.
  static func appliedVersions(_ db: any SQLDatabase, latest: Int) async throws -> Set<Int> {
    let versions = try await db.select().column("version").from(StateTable.migrations)
      .all(decodingColumn: "version", as: Int.self)
    if let newest = versions.max(), newest > latest {
      throw StateStoreError.schemaTooNew(found: newest, supported: latest)
    }
    return Set(versions)
  }
}
