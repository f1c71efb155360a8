import Engine
import EngineRuntime
import EngineServer
import RunState
import Synchronization

/// Follows a run on a server to its end the way a local command shows its own run: the run's
/// events (`GET /api/v1/runs/{id}/events`) through the same `EventDisplay` (the progress lines, or
/// the table on a terminal), until the server's `end` event.
///
/// With `cancelOnInterrupt` (`apply`), Ctrl-C asks the server to cancel the run and goes on
/// following it while the server cancels, as a local apply cancels its requests before it exits
/// 130; a second Ctrl-C exits at once, the server going on with the cancel.
struct RemoteRunFollower: Sendable {
  let client: APIClient
  let runId: String

  /// What was seen so far: the translation state and the last event's sequence (to go on from
  /// there after an interruption).
  final class Seen: Sendable {
    private let state: Mutex<(translator: RemoteEventTranslator, lastSequence: Int64?, messages: [RunEventMessage])>

    init(runId: String) {
      state = Mutex((RemoteEventTranslator(runId: RunID(rawValue: runId)), nil, []))
    }

    func record(_ message: RunEventMessage) -> [RunEvent] {
      state.withLock { state in
        state.lastSequence = max(state.lastSequence ?? 0, message.sequence)
        state.messages.append(message)
        return state.translator.translate(message)
      }
    }

    var lastSequence: Int64? { state.withLock { $0.lastSequence } }
    /// Every event received, in order.
    var messages: [RunEventMessage] { state.withLock { $0.messages } }
  }

  /// Follows the run's events after `after` (nil: from its first) to the end.
  ///
  /// - Parameter quiet: show only the run's start (`--output json`).
  /// - Returns: the run's status as the `end` event gives it, and every event received.
  func follow(
    after: Int64? = nil, quiet: Bool, cancelOnInterrupt: Bool
  ) async throws(APIError) -> (
    status: String, events: [RunEventMessage]
  ) {
    let display = EventDisplay(quiet: quiet)
    let seen = Seen(runId: runId)
    let handle: @Sendable (RunEventMessage) async -> Void = { message in
      for event in seen.record(message) { display.sink(event) }
    }
    do {
      let status =
        cancelOnInterrupt
        ? try await followCancellingOnInterrupt(after: after, seen: seen, handle: handle)
        : try await client.followEvents(of: runId, after: after, handle: handle)
      await display.close()
      return (status, seen.messages)
    } catch {
      await display.close()
      throw error
    }
  }

  private func followCancellingOnInterrupt(
    after: Int64?, seen: Seen, handle: @escaping @Sendable (RunEventMessage) async -> Void
  ) async throws(APIError) -> String {
    let client = self.client
    let runId = self.runId
    let following = Task { try await client.followEvents(of: runId, after: after, handle: handle) }
    let handler = InterruptHandler(
      secondMessage: "exiting without waiting; the server goes on cancelling run \(runId)"
    ) { following.cancel() }
    defer { handler.remove() }
    do {
      return try await withTaskCancellationHandler {
        try await following.value
      } onCancel: {
        following.cancel()
      }
    } catch {
      guard handler.wasInterrupted else {
        throw (error as? APIError) ?? .transport(detail: "cancelled", hint: nil, mayHaveReachedServer: true)
      }
      do throws(APIError) {
        _ = try await client.cancel(runId)
      } catch  where error.status == 409 {
        // It ended meanwhile: the end event says how.
      } catch {
        Terminal.err(error.runtimeError(server: client.connection.baseURL, run: runId).message)
      }
      return try await client.followEvents(of: runId, after: seen.lastSequence ?? after, handle: handle)
    }
  }
}
