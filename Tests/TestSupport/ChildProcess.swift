import Foundation

/// Starting a child process and waiting for it without blocking a thread of Swift's cooperative
/// pool: on a 2-core machine that pool has two threads, and a test blocked in `waitUntilExit()`
/// stalls every other test running beside it (the timing-sensitive ones show it first).
public enum ChildProcess {
  /// Runs `process` (configured, not started) to its end; returns its termination status.
  @discardableResult
  public static func run(_ process: Process) async throws -> Int32 {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
      process.terminationHandler = { _ in continuation.resume() }
      do {
        try process.run()
      } catch {
        process.terminationHandler = nil
        continuation.resume(throwing: error)
      }
    }
    return process.terminationStatus
  }
}
