import Foundation

/// Polls `condition` until it holds or `timeout` passes: for waiting on something another task
/// does (a file watcher's reload), never a bare sleep that hopes it happened.
func eventually(
  timeout: Duration = .seconds(15), every interval: Duration = .milliseconds(20),
  _ condition: @Sendable () async throws -> Bool
) async rethrows -> Bool {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if try await condition() { return true }
    try? await Task.sleep(for: interval)
  }
  return try await condition()
}
