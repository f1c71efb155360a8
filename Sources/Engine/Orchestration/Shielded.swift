import Tracing

/// Runs `work` so that the caller's cancellation does not reach it.
///
/// What a cancelled run must still do — cancel the request in vRA, record that it did, mark the
/// run cancelled — would otherwise fail at once, because the store and the HTTP client both honour
/// task cancellation.
///
/// A detached task drops task-local values, so the caller's trace context and execution context go
/// along explicitly: the cancel sent for a stage is a span of that stage, its log lines carry the stage.
func shielded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
  let (trace, run, execution) = (ServiceContext.current, EngineSpans.runContext, ExecutionContext.current)
  return try await Task.detached {
    try await ServiceContext.withValue(trace) {
      try await EngineSpans.$runContext.withValue(run) {
        try await ExecutionContext.$current.withValue(execution) { try await work() }
      }
    }
  }.value
}
