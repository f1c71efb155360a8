import Foundation
import RunState

/// The state database for work that only reads or edits it (`runs`, `cancel` through a live
/// owner, `prune`): opened for the length of a closure, closed however it ends.
public enum StateAccess {
  /// Where the state database is looked for, and how to name another.
  public static let lookupHint =
    "without --state or state.url, the state is .vra-engine/state.db in the current directory or the nearest "
    + "parent directory with a .vra-engine/; `--state FILE` (or a postgres:// URL) reads another"

  /// Runs `body` with the store `connection` names, which must exist (reading never creates a
  /// SQLite file; a PostgreSQL database is created by its administrator).
  public static func withExisting<Result>(
    _ connection: StateConnection, _ body: (SQLStateStore) async throws -> Result
  ) async throws -> Result {
    if case .sqlite(let path) = connection.database, !FileManager.default.fileExists(atPath: path) {
      throw RuntimeError.error(
        "no state database at \(path) (runs are recorded by `vra-engine apply`)", hint: lookupHint,
        status: .usageOrValidation)
    }
    return try await with(connection, body)
  }

  /// Runs `body` with the store `connection` names, created (and migrated) when it does not exist yet.
  public static func with<Result>(
    _ connection: StateConnection, _ body: (SQLStateStore) async throws -> Result
  ) async throws -> Result {
    let store: SQLStateStore
    do {
      store = try await SQLStateStore.open(connection.database, password: connection.password)
    } catch {
      throw RuntimeError.error(
        "cannot open the state database \(connection): \(error)", status: .usageOrValidation)
    }
    do {
      let result = try await body(store)
      try? await store.close()
      return result
    } catch {
      try? await store.close()
      throw error
    }
  }

  /// A SQLite file at `path` (see `with(_:_:)`).
  public static func with<Result>(
    _ path: String, _ body: (SQLStateStore) async throws -> Result
  ) async throws -> Result {
    try await with(.sqlite(path), body)
  }

  /// Runs `body`, a read or edit of a store opened for an offline command: what goes wrong there
  /// is about the state file (exit 2), said as `error: …`.
  public static func reading<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
      return try await body()
    } catch let error as RuntimeError {
      throw error
    } catch {
      throw RuntimeError.error("\(error)", status: .usageOrValidation)
    }
  }

  /// The run, read without creating a SQLite file; nil when either is missing.
  public static func peek(_ id: RunID, in connection: StateConnection) async throws -> RunRecord? {
    if case .sqlite(let path) = connection.database, !FileManager.default.fileExists(atPath: path) { return nil }
    return try await with(connection) { try await $0.run(id) }
  }
}
