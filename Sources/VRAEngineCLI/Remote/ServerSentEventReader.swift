import NIOCore

/// Reads a server-sent event stream to the end its consumer decides, across dropped connections:
/// when the connection fails or ends before the consumer is done, it is opened again with the last
/// event id received (`Last-Event-ID`), after the server's `retry:` time or a doubling wait, so no
/// event is lost or seen twice. It gives up after `maximumReconnects` attempts in a row that
/// brought no event (a server that is gone), throwing the last failure.
struct ServerSentEventReader: Sendable {
  var maximumReconnects = 5
  /// The first wait before reconnecting when the server set no `retry:`; doubled on each failure
  /// in a row, up to `maximumDelay`.
  var initialDelay: Duration = .milliseconds(500)
  var maximumDelay: Duration = .seconds(10)

  /// The stream ended cleanly before the consumer was done (the server closed it): reconnect.
  struct EndedEarly: Error {}

  /// Opens the stream (`lastEventId` nil at first) and gives each event to `handle` until it
  /// returns false.
  ///
  /// - Parameters:
  ///   - lastEventId: where to start: only events after this id (nil: from the first).
  ///   - open: one connection: the body's chunks, or a thrown failure.
  ///   - isRetryable: whether a failure of `open` or of reading is worth another connection
  ///     (a dropped connection is; a 404 is not).
  /// - Returns: the last event id received.
  @discardableResult
  func read<Chunks: AsyncSequence>(
    from lastEventId: String? = nil,
    open: (_ lastEventId: String?) async throws -> Chunks,
    isRetryable: (any Error) -> Bool,
    handle: (ServerSentEvents.Event) async throws -> Bool
  ) async throws -> String? where Chunks.Element == ByteBuffer {
    var parser = ServerSentEvents.Parser(lastEventId: lastEventId)
    var failuresInARow = 0
    while true {
      try Task.checkCancellation()
      var received = false
      do {
        for try await chunk in try await open(parser.lastEventId) {
          for event in parser.feed(chunk.readableBytesView) {
            received = true
            guard try await handle(event) else { return parser.lastEventId }
          }
        }
        throw EndedEarly()
      } catch {
        if Task.isCancelled || error is CancellationError { throw CancellationError() }
        guard error is EndedEarly || isRetryable(error) else { throw error }
        parser.finish()
        failuresInARow = received ? 1 : failuresInARow + 1
        guard failuresInARow <= maximumReconnects else { throw error }
        try await Task.sleep(for: delay(failuresInARow: failuresInARow, serverRetry: parser.retryMilliseconds))
      }
    }
  }

  func delay(failuresInARow: Int, serverRetry milliseconds: Int?) -> Duration {
    if let milliseconds { return min(.milliseconds(milliseconds), maximumDelay) }
    return min(initialDelay * (1 << min(max(failuresInARow - 1, 0), 16)), maximumDelay)
  }
}
