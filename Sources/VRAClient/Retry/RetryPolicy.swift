/// How hard a call tries: attempts, backoff and a total time budget.
///
/// Delays are exponential with full jitter (a random delay between 0 and
/// `min(maxDelay, baseDelay × 2^(retry-1))`), so many clients hit by one outage do not
/// come back in lockstep. A server's `Retry-After` replaces the computed delay.
public struct RetryPolicy: Sendable, Hashable {
  /// HTTP attempts per call, the first one included (a 401 replay does not count).
  public var maxAttempts: Int
  public var baseDelay: Duration
  public var maxDelay: Duration
  /// Wall time for the whole call, retries and waits included; also the call's deadline.
  public var totalBudget: Duration
  /// A `Retry-After` longer than this is not waited out: the call fails as rate limited.
  public var maxRetryAfter: Duration

  public init(
    maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10),
    totalBudget: Duration = .seconds(120), maxRetryAfter: Duration = .seconds(60)
  ) {
    self.maxAttempts = max(1, maxAttempts)
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.totalBudget = totalBudget
    self.maxRetryAfter = maxRetryAfter
  }

  public static let standard = RetryPolicy()
  /// One attempt, no retry.
  public static let none = RetryPolicy(maxAttempts: 1)

  /// The full-jitter delay before retry number `retry` (1 for the first retry).
  func backoff(retry: Int, random: Double = Double.random(in: 0...1)) -> Duration {
    let exponent = min(max(retry - 1, 0), 30)
    let ceiling = min(maxDelay, baseDelay * (1 << exponent))
    return ceiling * random
  }
}
