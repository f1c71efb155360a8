import EngineServer
import Synchronization

/// The run events received, for a command that reads them once the stream ended.
final class EventLog: Sendable {
  private let events = Mutex<[RunEventMessage]>([])

  func append(_ event: RunEventMessage) { events.withLock { $0.append(event) } }
  var all: [RunEventMessage] { events.withLock { $0 } }
}
