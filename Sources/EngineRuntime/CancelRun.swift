import Engine
import RunState

/// `cancel`, for any front end: a run a live process owns is asked to cancel through the store
/// (that owner carries it out; no client or simulator is started here); a run nobody works on is
/// cancelled from here, against the vRA it ran on.
public enum CancelRun {
  public static func cancel(
    _ id: RunID, configuration: RunConfiguration, takeover: Bool, notice: @escaping NoticeSink
  ) async throws -> RunCanceller.Outcome {
    let asked = try await StateAccess.withExisting(try await configuration.stateConnection()) {
      try await RunCanceller.askOwner(id, store: $0)
    }
    if let asked { return asked }
    return try await RunSession.with(configuration, forRun: id, notice: notice) { session in
      try await RunCanceller(
        client: session.client, store: session.store, tracking: session.tracker, lease: session.lease
      ).cancel(id, mode: takeover ? .takeover : .ifFree)
    }
  }
}
