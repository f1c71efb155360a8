import EngineServer
import Foundation
import NIOCore
import Synchronization
import TestSupport
import Testing

@testable import VRAEngineCLI

/// The `text/event-stream` parser against the WHATWG rules, fed in every possible split, and the
/// reader's reconnect with `Last-Event-ID` against a real server that drops the connection.
@Suite struct ServerSentEventsTests {
  typealias Event = ServerSentEvents.Event

  /// Every rule at once: BOM, CRLF / CR / LF line ends, comments, multi-line data, a field
  /// without a colon, no space after the colon, `retry:`, an id kept for the next event, an id
  /// with NUL ignored, an event without data (not dispatched), a multi-byte character, and an
  /// event cut off by the end of the stream (dropped).
  static let stream = Array(
    ("\u{FEFF}: keep-alive\r\nretry: 250\r\n"
      + "id: 1\nevent: run.created\ndata: {\"a\":\ndata: 1}\n\n"
      + "data:no space\rdata\r\r"
      + "id: 7\u{0}\nevent: stage.status\ndata: ünïcødé\r\ndata: ✓\r\n\r\n"
      + "id: 9\n\n"
      + "retry: soon\nevent: end\ndata: {\"status\":\"succeeded\"}\n\n"
      + "id: 10\ndata: cut off").utf8)

  static let expected = [
    Event(id: "1", type: "run.created", data: "{\"a\":\n1}"),
    Event(id: "1", type: "message", data: "no space\n"),
    Event(id: "1", type: "stage.status", data: "ünïcødé\n✓"),
    Event(id: "9", type: "end", data: "{\"status\":\"succeeded\"}"),
  ]

  @Test func parsesEveryRuleInOneChunk() {
    var parser = ServerSentEvents.Parser()
    #expect(parser.feed(Self.stream) == Self.expected)
    parser.finish()
    #expect(parser.lastEventId == "9", "the cut-off event's id is not taken")
    #expect(parser.retryMilliseconds == 250, "a retry that is not digits is ignored")
  }

  @Test func anySplitIntoTwoChunksGivesTheSameEvents() {
    for split in 0...Self.stream.count {
      var parser = ServerSentEvents.Parser()
      let events = parser.feed(Self.stream[..<split]) + parser.feed(Self.stream[split...])
      #expect(events == Self.expected, "split at byte \(split)")
    }
  }

  @Test func byteByByteAndInRandomChunksGivesTheSameEvents() {
    var parser = ServerSentEvents.Parser()
    var events: [Event] = []
    for byte in Self.stream { events += parser.feed([byte]) }
    #expect(events == Self.expected)

    var generator = SystemRandomNumberGenerator()
    for _ in 0..<50 {
      var parser = ServerSentEvents.Parser()
      var events: [Event] = []
      var rest = Self.stream[...]
      while !rest.isEmpty {
        let size = Int.random(in: 1...7, using: &generator)
        events += parser.feed(rest.prefix(size))
        rest = rest.dropFirst(size)
      }
      #expect(events == Self.expected)
    }
  }

  /// A CR at the end of one chunk and the LF at the start of the next are one line end, not two
  /// (two would be a blank line, dispatching early).
  @Test func aCarriageReturnAndItsLineFeedInTwoChunksEndOneLine() {
    var parser = ServerSentEvents.Parser()
    #expect(parser.feed(Array("data: a\r".utf8)).isEmpty)
    #expect(parser.feed(Array("\ndata: b\r".utf8)).isEmpty)
    #expect(parser.feed(Array("\n\r\n".utf8)) == [Event(id: nil, type: "message", data: "a\nb")])
  }

  @Test func aReconnectStartsFromTheLastIdAndDropsThePartialEvent() {
    var parser = ServerSentEvents.Parser(lastEventId: "41")
    #expect(parser.feed(Array("id: 42\ndata: half".utf8)).isEmpty)
    parser.finish()
    #expect(parser.lastEventId == "41")
    #expect(parser.feed(Array("data: whole\n\n".utf8)) == [Event(id: "41", type: "message", data: "whole")])
  }

  // MARK: Reconnecting

  /// The server sends events 1 and 2, then closes the connection in the middle of the response;
  /// the reader reconnects (after the `retry:` the server asked for) with `Last-Event-ID: 2` and
  /// gets 3 and the end: every event once, in order.
  @Test func aDroppedStreamIsResumedWithLastEventID() async throws {
    try await FakeEngineServer.with { server in
      let messages = SSE.run("r1", stages: ["net"], final: "succeeded")
      let received = EventLog()
      await server.on(
        "GET", "/api/v1/runs/r1/events",
        .events(
          ["retry: 20\n\n", SSE.event(messages[0]), SSE.event(messages[1])], thenDrop: true,
          // Dropped once the reader has both (a close can discard writes still in flight).
          dropWhen: { _ = await pollUntil(timeout: .seconds(20)) { received.all.count >= 2 } }),
        .events(messages[2...].map(SSE.event) + [SSE.end("succeeded")]))
      let status = try await APIClient.with(Self.connection(server)) { client in
        try await client.followEvents(of: "r1") { received.append($0) }
      }
      #expect(status == "succeeded")
      #expect(received.all == messages)
      let opened = await server.requests("GET", "/api/v1/runs/r1/events")
      #expect(opened.map { $0.header("Last-Event-ID") } == [nil, "2"])
      #expect(opened.allSatisfy { $0.header("Authorization") == "Bearer test-token" })
    }
  }

  /// A stream that keeps failing before any event is given up after `maximumReconnects`, with the
  /// failure; one that answers 404 is not retried at all.
  @Test func theReaderGivesUpAfterBoundedRetriesAndNeverRetriesA404() async throws {
    try await FakeEngineServer.with { server in
      await server.on("GET", "/api/v1/runs/r2/events", .events(["retry: 1\n\n"], thenDrop: true))
      await server.on("GET", "/api/v1/runs/r3/events", .problem(.notFound, detail: "no run r3"))
      let reader = ServerSentEventReader(maximumReconnects: 3)
      try await APIClient.with(Self.connection(server)) { client in
        await #expect(throws: APIError.self) {
          try await client.followEvents(of: "r2", reader: reader) { _ in }
        }
        await #expect(throws: APIError.self) {
          try await client.followEvents(of: "r3", reader: reader) { _ in }
        }
      }
      #expect(await server.requests("GET", "/api/v1/runs/r2/events").count == 4, "the first and 3 reconnects")
      #expect(await server.requests("GET", "/api/v1/runs/r3/events").count == 1)
    }
  }

  static func connection(_ server: FakeEngineServer) -> ServerConnection {
    ServerConnection(baseURL: server.url, token: "test-token", caFile: nil)
  }
}
