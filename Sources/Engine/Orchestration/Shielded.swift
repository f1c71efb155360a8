/// Runs `work` so that the caller's cancellation does not reach it.
///
/// What a cancelled run must still do — cancel the request in vRA, record that it did, mark the
/// run cancelled — would otherwise fail at once, because the store and the HTTP client both honour
/// task cancellation.
func shielded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
  try await Task.detached(operation: work).value
}
