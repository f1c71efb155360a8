import Foundation
import Hummingbird
import RunState
import ServiceLifecycle
import VRAModels

/// A run's events as server-sent events, from the store: each `id:` is the event's sequence (so
/// `Last-Event-ID` resumes exactly after it), `event:` its kind, `data:` a `RunEventMessage`. Once
/// the run is finished and every event was sent, an `end` event carries its status and the stream
/// closes. Following the store, not this process, lets any replica serve any run's stream.
/// A graceful shutdown ends it early, without `end`, so the shutdown never waits on a run.
struct RunEventStream: Sendable {
  let store: SQLStateStore
  let run: RunID
  let after: Int64?
  var pollInterval: Duration = .milliseconds(200)
  var keepAlive: Duration = .seconds(15)

  func response() -> Response {
    Response(
      status: .ok,
      headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .connection: "keep-alive"],
      body: ResponseBody { writer in
        try await stream(to: &writer)
        try await writer.finish(nil)
      })
  }

  private func stream(to writer: inout some ResponseBodyWriter) async throws {
    let encoder = VRAJSON.makeEncoder()
    encoder.outputFormatting.insert(.sortedKeys)
    var cursor = after
    var quietSince = ContinuousClock.now
    // The service shutting down ends the stream without `end`: the client reconnects with
    // Last-Event-ID (to the next start, or another replica) and misses nothing.
    while !Task.isCancelled, !Task.isShuttingDownGracefully {
      // The status first, then the events: the event of a final status is committed with it, so
      // a finished run's last event is among those read after it.
      guard let record = try await store.run(run) else { return }
      let events = try await store.events(of: run, after: cursor)
      for event in events {
        let message = RunEventMessage(
          sequence: event.sequence, at: event.at, kind: event.kind, stage: event.stage, message: event.message,
          data: event.data)
        let data = String(decoding: try encoder.encode(message), as: UTF8.self)
        try await writer.write(ByteBuffer(string: "id: \(event.sequence)\nevent: \(event.kind)\ndata: \(data)\n\n"))
        cursor = event.sequence
      }
      if events.isEmpty, Self.isFinished(record.status) {
        try await writer.write(ByteBuffer(string: "event: end\ndata: {\"status\":\"\(record.status.rawValue)\"}\n\n"))
        return
      }
      if !events.isEmpty {
        quietSince = .now
      } else if ContinuousClock.now - quietSince >= keepAlive {
        // A comment line: proxies keep the connection, clients ignore it.
        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
        quietSince = .now
      }
      try await Task.sleep(for: pollInterval)
    }
  }

  static func isFinished(_ status: RunStatus) -> Bool { status.isTerminal || status == .submitted }
}
