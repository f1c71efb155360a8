/// Whether a failed attempt is tried again, and why not when it is not.
enum RetryDecision: Sendable, Equatable {
  case retry(after: Duration?)
  /// Final; for a creating call, `outcomeUnknown` says the request may have been applied.
  case fail(outcomeUnknown: Bool)

  /// For an HTTP error answer.
  static func forAnswer(
    status: Int, shouldRetry: Bool, retryAfter: Duration?, safety: CallSafety
  ) -> RetryDecision {
    switch safety {
    case .idempotent:
      if [429, 502, 503, 504].contains(status) || (status >= 500 && shouldRetry) {
        return .retry(after: retryAfter)
      }
      return .fail(outcomeUnknown: false)
    case .creating:
      // vRA answers 429 and 503 before it does anything; every other 5xx may come after.
      if status == 429 || status == 503 { return .retry(after: retryAfter) }
      return .fail(outcomeUnknown: status >= 500)
    }
  }

  /// For an attempt that got no answer.
  static func forTransport(_ failure: TransportFailure, safety: CallSafety) -> RetryDecision {
    switch failure.kind {
    case .cancelled, .tls, .clientShutDown: return .fail(outcomeUnknown: false)
    default: break
    }
    switch safety {
    case .idempotent:
      return .retry(after: nil)
    case .creating:
      return failure.mayHaveReachedServer ? .fail(outcomeUnknown: true) : .retry(after: nil)
    }
  }
}
