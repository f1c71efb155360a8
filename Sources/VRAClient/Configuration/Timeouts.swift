/// Time limit of one HTTP attempt. The call's overall deadline is `RetryPolicy.totalBudget`;
/// connecting is bounded by the HTTP client's connect timeout (10 s for the shared one).
public struct Timeouts: Sendable, Hashable {
  /// One HTTP attempt, from sending to the answer's head.
  public var attempt: Duration

  public init(attempt: Duration = .seconds(30)) {
    self.attempt = attempt
  }
}
