import Logging

extension VRAClient {
  /// Creates something at most once, even when an attempt's outcome is unknown.
  ///
  /// A creating call that failed ambiguously (connection dropped after sending, a 5xx
  /// that may have come after the change) is not re-sent blindly: the object is first
  /// looked up, and returned if it exists. Only when the lookup proves it absent is the
  /// create sent again, within the retry policy's attempts. A `conflict` after an
  /// ambiguous attempt means the first one did succeed: it is looked up once more.
  func createOnce<T: Sendable>(
    what: String, create: @Sendable () async throws -> T, lookup: @Sendable () async throws -> T?
  ) async throws -> T {
    var unknownOutcome: VRAError?
    for _ in 0..<configuration.retry.maxAttempts {
      do {
        return try await create()
      } catch let error as VRAError
        where error.outcomeUnknown || (unknownOutcome != nil && error.errorClass == .conflict)
      {
        configuration.logger.warning(
          "outcome of a create is unknown; looking it up before sending it again",
          metadata: [
            "vra.object": "\(what)", "http.path": "\(error.path)", "error.class": "\(error.errorClass.name)",
            "error.message": "\(error.message)",
          ])
        if let found = try await lookup() {
          configuration.logger.info(
            "found the object the ambiguous create made; not creating it again", metadata: ["vra.object": "\(what)"])
          return found
        }
        if error.errorClass == .conflict || error.errorClass == .cancelled { throw error }
        unknownOutcome = error
      }
    }
    throw unknownOutcome!
  }
}
