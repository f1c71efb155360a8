import Foundation
import RunState
import Synchronization
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

/// A store on a fresh file, closed afterwards.
func withStore(
  clock: ManualClock = ManualClock(), _ body: (SQLStateStore, String) async throws -> Void
) async throws {
  try await withStateFile { path in
    let store = try await SQLStateStore.openSQLite(at: path, clock: clock.function)
    do {
      try await body(store, path)
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
