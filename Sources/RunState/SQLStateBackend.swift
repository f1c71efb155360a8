import SQLKit

/// What differs between the SQL databases a `SQLStateStore` can sit on. Everything else (schema,
/// queries, transitions) is SQLKit builders shared by every backend.
///
/// A PostgreSQL backend is expected to differ only here: opening a connection from a pool, `BEGIN`
/// (with a row lock, `SELECT ... FOR UPDATE`, where SQLite locks the whole file) instead of
/// `BEGIN IMMEDIATE`, and no pragmas.
protocol SQLStateBackend: Sendable {
  /// The connection every statement of the store goes through (one operation at a time).
  var database: any SQLDatabase { get }
  /// Where the data lives, for messages.
  var location: String { get }
  /// The statement that opens a transaction which is going to write.
  var beginWriteTransaction: String { get }
  func close() async throws
}

extension SQLStateBackend {
  var commitTransaction: String { "COMMIT" }
  var rollbackTransaction: String { "ROLLBACK" }
}
