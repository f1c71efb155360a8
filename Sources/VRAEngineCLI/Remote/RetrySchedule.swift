/// How many times a request to the server is tried and how long apart: doubling waits from
/// `baseDelay` with jitter (half fixed, half random, so clients that failed together do not come
/// back together), or the server's `Retry-After` when it gives one, never longer than `maximumDelay`.
struct RetrySchedule: Sendable {
  /// Attempts in all, the first included.
  var attempts = 3
  var baseDelay: Duration = .milliseconds(300)
  var maximumDelay: Duration = .seconds(5)

  /// The wait after failed attempt number `attempt` (1 for the first).
  func delay(after attempt: Int, retryAfterSeconds: Int? = nil) -> Duration {
    if let retryAfterSeconds { return min(.seconds(max(retryAfterSeconds, 0)), maximumDelay) }
    let doubled = baseDelay * (1 << min(max(attempt - 1, 0), 16))
    let capped = min(doubled, maximumDelay)
    return capped / 2 + capped / 2 * Double.random(in: 0...1)
  }
}
