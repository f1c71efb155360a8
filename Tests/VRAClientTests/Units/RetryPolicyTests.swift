import Foundation
import Testing

@testable import VRAClient

@Suite("Retry policy, Retry-After and the retry decision")
struct RetryPolicyTests {
  @Test("full jitter stays within [0, min(max, base × 2^(n-1))]")
  func backoffBounds() {
    let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1))
    #expect(policy.backoff(retry: 1, random: 1) == .milliseconds(100))
    #expect(policy.backoff(retry: 3, random: 1) == .milliseconds(400))
    #expect(policy.backoff(retry: 10, random: 1) == .seconds(1))
    #expect(policy.backoff(retry: 3, random: 0) == .zero)
    for retry in 1...12 {
      let delay = policy.backoff(retry: retry)
      #expect(delay >= .zero && delay <= .seconds(1))
    }
  }

  @Test("Retry-After as seconds and as an HTTP date")
  func retryAfter() {
    #expect(RetryAfter.parse("1") == .seconds(1))
    #expect(RetryAfter.parse(" 0 ") == .zero)
    #expect(RetryAfter.parse(nil) == nil)
    #expect(RetryAfter.parse("soon") == nil)
    let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
    #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:47 GMT", now: now) == .seconds(10))
    #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:47 GMT", now: now) == .seconds(10))
    #expect(RetryAfter.parse("Sun Nov  6 08:49:47 1994", now: now) == .seconds(10))
    #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:27 GMT", now: now) == .zero)
  }

  @Test("idempotent calls retry 429/502/503/504 and SHOULD_RETRY, never 4xx validation")
  func idempotentDecisions() {
    for status in [429, 502, 503, 504] {
      #expect(
        RetryDecision.forAnswer(status: status, shouldRetry: false, retryAfter: nil, safety: .idempotent)
          == .retry(after: nil))
    }
    #expect(
      RetryDecision.forAnswer(status: 500, shouldRetry: true, retryAfter: nil, safety: .idempotent)
        == .retry(after: nil))
    #expect(
      RetryDecision.forAnswer(status: 500, shouldRetry: false, retryAfter: nil, safety: .idempotent)
        == .fail(outcomeUnknown: false))
    #expect(
      RetryDecision.forAnswer(status: 400, shouldRetry: true, retryAfter: nil, safety: .idempotent)
        == .fail(outcomeUnknown: false))
    #expect(
      RetryDecision.forAnswer(status: 409, shouldRetry: false, retryAfter: nil, safety: .idempotent)
        == .fail(outcomeUnknown: false))
  }

  @Test("creating calls retry only what proves nothing was applied")
  func creatingDecisions() {
    #expect(
      RetryDecision.forAnswer(status: 429, shouldRetry: false, retryAfter: .seconds(1), safety: .creating)
        == .retry(after: .seconds(1)))
    #expect(
      RetryDecision.forAnswer(status: 503, shouldRetry: true, retryAfter: nil, safety: .creating) == .retry(after: nil))
    #expect(
      RetryDecision.forAnswer(status: 500, shouldRetry: true, retryAfter: nil, safety: .creating)
        == .fail(outcomeUnknown: true))
    #expect(
      RetryDecision.forAnswer(status: 504, shouldRetry: false, retryAfter: nil, safety: .creating)
        == .fail(outcomeUnknown: true))
    #expect(
      RetryDecision.forAnswer(status: 400, shouldRetry: false, retryAfter: nil, safety: .creating)
        == .fail(outcomeUnknown: false))
    let refused = TransportFailure(kind: .connectionRefused, mayHaveReachedServer: false, detail: "refused")
    let dropped = TransportFailure(kind: .connectionClosed, mayHaveReachedServer: true, detail: "closed")
    let tls = TransportFailure(kind: .tls, mayHaveReachedServer: false, detail: "tls")
    #expect(RetryDecision.forTransport(refused, safety: .creating) == .retry(after: nil))
    #expect(RetryDecision.forTransport(dropped, safety: .creating) == .fail(outcomeUnknown: true))
    #expect(RetryDecision.forTransport(dropped, safety: .idempotent) == .retry(after: nil))
    #expect(RetryDecision.forTransport(tls, safety: .idempotent) == .fail(outcomeUnknown: false))
  }
}
