import Foundation
import RunState

/// The state database for work that only reads or edits it (`runs`, `cancel` through a live
/// owner, `prune`): opened for the length of a closure, closed however it ends.
public enum StateAccess {
  /// Where the state database is looked for, and how to name another.
  public static let lookupHint =
    "without --state or state.url, the state is .vra-engine/state.db in the current directory or the nearest "
    + "parent directory with a .vra-engine/; `--state FILE` reads another"

  /// Runs `body` with the store at `path`, which must exist (reading never creates one).
  public static func withExisting<Result>(
    _ path: String, _ body: (SQLStateStore) async throws -> Result
  ) async throws -> Result {
    guard FileManager.default.fileExists(atPath: path) else {
      throw RuntimeError.error(
        "no state database at \(path) (runs are recorded by `vra-engine apply`)", hint: lookupHint,
        status: .usageOrValidation)
    }
    return try await with(path, body)
  }

  /// Runs `body` with the store at `path`, created (and migrated) when it does not exist yet.
  public static func with<Result>(
    _ path: String, _ body: (SQLStateStore) async throws -> Result
  ) async throws -> Result {
    let store: SQLStateStore
    do {
      store = try await SQLStateStore.openSQLite(at: path)
    } catch {
      throw RuntimeError.error("cannot open the state database \(path): \(error)", status: .usageOrValidation)
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

  /// The run, read from the file at `path` without creating it; nil when either is missing.
  public static func peek(_ id: RunID, at path: String) async throws -> RunRecord? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    return try await with(path) { try await $0.run(id) }
  }
}
