import AsyncHTTPClient
import Synchronization

/// One lazily made `HTTPClient` and its one shutdown.
///
/// States: unused → (first `client`) running → (first `shutdown()`) stopping: one task
/// shuts the client down while every `shutdown()` caller waits for it → stopped. A
/// `shutdown()` while unused does nothing (there is nothing to close) and leaves it unused;
/// in stopped, `client` keeps answering the shut-down client, whose calls fail at once.
final class HTTPClientLifetime: Sendable {
  private enum State {
    case unused
    case running(HTTPClient)
    case stopping(HTTPClient, Task<Void, Never>)
    case stopped(HTTPClient)
  }

  private let state = Mutex<State>(.unused)
  private let make: @Sendable () -> HTTPClient

  init(make: @escaping @Sendable () -> HTTPClient) {
    self.make = make
  }

  var client: HTTPClient {
    state.withLock { state in
      switch state {
      case .unused:
        let client = make()
        state = .running(client)
        return client
      case .running(let client), .stopping(let client, _), .stopped(let client):
        return client
      }
    }
  }

  /// True once a shutdown has finished.
  var isShutDown: Bool {
    state.withLock { state in
      if case .stopped = state { return true }
      return false
    }
  }

  func shutdown() async {
    let shutdown: Task<Void, Never>? = state.withLock { state in
      switch state {
      case .unused, .stopped:
        return nil
      case .stopping(_, let task):
        return task
      case .running(let client):
        // Unstructured so that a cancelled caller cannot leave the client half shut down.
        let task = Task<Void, Never> {
          // It only throws when the client was already shut down (by whoever held it directly).
          do { try await client.shutdown() } catch {}
        }
        state = .stopping(client, task)
        return task
      }
    }
    guard let shutdown else { return }
    await shutdown.value
    state.withLock { state in
      if case .stopping(let client, _) = state { state = .stopped(client) }
    }
  }
}
