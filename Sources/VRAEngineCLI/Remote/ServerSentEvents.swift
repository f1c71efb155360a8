/// Server-sent events: the `text/event-stream` format as the WHATWG HTML standard defines its
/// parsing (§9.2.6), for `GET /api/v1/runs/{id}/events`.
enum ServerSentEvents {
  /// One dispatched event.
  struct Event: Sendable, Equatable {
    /// The stream's last event id when the event was dispatched: its own `id:`, else the latest
    /// one before it (what a reconnect sends as `Last-Event-ID`).
    var id: String?
    /// The `event:` field; `message` when the event has none.
    var type: String
    /// The `data:` lines joined with line feeds.
    var data: String
  }

  /// An incremental parser: bytes go in as they arrive, split anywhere (inside a line, between a CR
  /// and its LF, inside a UTF-8 sequence), events come out as each blank line completes one.
  ///
  /// Lines end with CRLF, LF or CR. `:` starts a comment (a keep-alive); a field without a colon
  /// has an empty value; one space after the colon is not part of the value. `id` sets the last
  /// event id (a value with NUL is ignored), which is kept for later events and survives a blank
  /// line without data; `retry` (digits only) sets the reconnection time; other fields are ignored.
  /// An event without data is not dispatched, and neither is one the stream ends in the middle of.
  struct Parser: Sendable {
    /// The last event id in effect (updated when an event is dispatched, or a blank line ends one
    /// without data), what `Last-Event-ID` carries on a reconnect.
    private(set) var lastEventId: String?
    /// The reconnection time the server asked for with `retry:`, in milliseconds.
    private(set) var retryMilliseconds: Int?

    private var line: [UInt8] = []
    /// The previous byte was a CR: an LF right after it ends no second line.
    private var afterCarriageReturn = false
    private var atStreamStart = true
    private var idBuffer: String?
    private var eventType = ""
    private var data = ""

    /// - Parameter lastEventId: the id of the last event already received on an earlier
    ///   connection, kept until the stream sends another.
    init(lastEventId: String? = nil) {
      self.lastEventId = lastEventId
      self.idBuffer = lastEventId
    }

    /// Consumes `bytes`; the events they complete, in order.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
      var events: [Event] = []
      for byte in bytes {
        switch byte {
        case UInt8(ascii: "\n") where afterCarriageReturn:
          afterCarriageReturn = false
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
          afterCarriageReturn = byte == UInt8(ascii: "\r")
          if let event = endLine() { events.append(event) }
        default:
          afterCarriageReturn = false
          line.append(byte)
        }
      }
      return events
    }

    /// The connection ended: an event not completed by a blank line is dropped, as the standard
    /// says, and the next connection starts from `lastEventId` (and a fresh stream's BOM rule).
    mutating func finish() {
      line = []
      afterCarriageReturn = false
      atStreamStart = true
      idBuffer = lastEventId
      eventType = ""
      data = ""
    }

    private mutating func endLine() -> Event? {
      var text = String(decoding: line, as: UTF8.self)
      line.removeAll(keepingCapacity: true)
      if atStreamStart {
        atStreamStart = false
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
      }
      if text.isEmpty { return dispatch() }
      if text.hasPrefix(":") { return nil }
      let field: Substring
      var value: Substring
      if let colon = text.firstIndex(of: ":") {
        field = text[..<colon]
        value = text[text.index(after: colon)...]
        if value.hasPrefix(" ") { value = value.dropFirst() }
      } else {
        field = text[...]
        value = ""
      }
      switch field {
      case "event": eventType = String(value)
      case "data": data += value + "\n"
      case "id" where !value.contains("\u{0}"): idBuffer = String(value)
      case "retry" where !value.isEmpty && value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }):
        retryMilliseconds = Int(value) ?? retryMilliseconds
      default: break
      }
      return nil
    }

    private mutating func dispatch() -> Event? {
      lastEventId = idBuffer
      defer {
        eventType = ""
        data = ""
      }
      guard !data.isEmpty else { return nil }
      return Event(id: lastEventId, type: eventType.isEmpty ? "message" : eventType, data: String(data.dropLast()))
    }
  }
}
