import Foundation
import RunState
import Synchronization
import TestSupport
import Testing
import VRAModels

@testable import Engine
@testable import RunState

/// A clock the test moves by hand, so times and orderings are exact.
final class ManualClock: Sendable {
  private let current: Mutex<Date>

  init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

  var now: Date { current.withLock { $0 } }

  func advance(seconds: Double) { current.withLock { $0 += seconds } }

  var function: @Sendable () -> Date { { self.now } }
}

/// A fresh state file path under a temporary directory (in a subdirectory that does not exist yet,
/// so opening exercises directory creation). The directory is removed afterwards.
func withStateFile(_ body: (String) async throws -> Void) async throws {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("vra-engine-state-tests-\(UUID().uuidString)")
  defer { try? FileManager.default.removeItem(at: directory) }
  try await body(directory.appendingPathComponent(".vra-engine/state.db").path)
}

/// The databases the store's tests run against: every store test runs on both.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case sqlite, postgres

  var testDescription: String { rawValue }

  /// A fresh, empty database of this kind for the length of `body`: its `state.url`.
  func withFreshDatabase(_ body: (StateDatabase) async throws -> Void) async throws {
    switch self {
    case .sqlite:
      try await withStateFile { path in try await body(.sqlite(path: path)) }
    case .postgres:
      let database = try await PostgresTestCluster.shared().makeDatabase()
      try await body(.postgres(try PostgresStateLocation.parse(database.url)))
    }
  }
}

extension SQLStateStore {
  /// Opens `database` for a test, with `clock` as the time of every write.
  static func openForTest(_ database: StateDatabase, clock: ManualClock) async throws -> SQLStateStore {
    switch database {
    case .sqlite(let path): try await openSQLite(at: path, clock: clock.function)
    case .postgres(let location): try await openPostgres(location, clock: clock.function)
    }
  }
}

/// A store on a fresh database (a SQLite file by default), closed afterwards. `body` gets the
/// store and where it is, to open a second store on the same data.
func withStore(
  _ backend: StoreBackend = .sqlite, clock: ManualClock = ManualClock(),
  _ body: (SQLStateStore, StateDatabase) async throws -> Void
) async throws {
  try await backend.withFreshDatabase { database in
    let store = try await SQLStateStore.openForTest(database, clock: clock)
    do {
      try await body(store, database)
    } catch {
      try? await store.close()
      throw error
    }
    try await store.close()
  }
}

extension StateStore {
  /// A run of plan `demo` with the given stages.
  @discardableResult
  func makeRun(_ id: RunID = RunID.generate(), stages: [String] = ["network", "db", "app"]) async throws -> RunRecord {
    try await createRun(
      id: id, planName: "demo", planPath: "plans/demo.yaml", planDigest: "sha256:abc", options: ["parallelism": 4],
      stages: stages)
  }
}

/// An error a test throws on purpose.
struct InjectedFault: Error, Equatable {}
