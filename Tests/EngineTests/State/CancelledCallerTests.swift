import Foundation
import RunState
import TestSupport
import Testing

/// A store opened or closed by a task that is already cancelled (Ctrl-C arrived, a service is
/// shutting down) is whole or closed, never a connection left open: SQLiteNIO refuses work for a
/// cancelled task, and a connection opened but never closed traps in its deinit.
@Suite struct CancelledCallerTests {
  @Test func aCancelledTaskOpensWritesAndClosesTheStore() async throws {
    let path = try Scratch.directory().appendingPathComponent("state.db").path
    let task = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      #expect(Task.isCancelled)
      let store = try await SQLStateStore.openSQLite(at: path)
      _ = try await store.createRun(
        id: RunID(rawValue: "r1"), planName: "p", planPath: "p.yaml", planDigest: "d", options: [:], stages: ["a"])
      try await store.close()
    }
    try await task.value
    let store = try await SQLStateStore.openSQLite(at: path)
    #expect(try await store.run(RunID(rawValue: "r1")) != nil)
    try await store.close()
  }
}
