/// Probes until the check passes `times` in a row or its `timeout` runs out, `interval` apart:
/// "HTTP 200 three times, with retries". A failed attempt resets the count; the last attempt never
/// starts after the deadline and is cut to what is left of it.
struct CheckLoop: Sendable {
  var times: Int
  var interval: Duration
  var timeout: Duration
  var attemptTimeout: Duration

  init(_ check: StageCheck) {
    times = check.times
    interval = check.interval
    timeout = check.timeout
    attemptTimeout = check.attemptTimeout
  }

  init(times: Int, interval: Duration, timeout: Duration, attemptTimeout: Duration) {
    self.times = times
    self.interval = interval
    self.timeout = timeout
    self.attemptTimeout = attemptTimeout
  }

  /// How the check ended.
  struct Verdict: Sendable, Hashable {
    var passed: Bool
    var attempts: Int
    /// Passes in a row at the end.
    var passesInRow: Int
    /// The last attempt's result (nil: no attempt fit in the timeout).
    var last: ProbeResult?
    var elapsed: Duration
  }

  /// Runs the attempts; `progress` hears each one (the attempt number, its result, passes in a row).
  func run(
    clock: ContinuousClock = ContinuousClock(),
    attempt: @Sendable (Duration) async throws -> ProbeResult,
    progress: @Sendable (Int, ProbeResult, Int) async -> Void = { _, _, _ in }
  ) async throws -> Verdict {
    let started = clock.now
    let deadline = started + timeout
    var attempts = 0
    var inRow = 0
    var last: ProbeResult?
    while true {
      try Task.checkCancellation()
      let left = deadline - clock.now
      guard left > .zero else { break }
      attempts += 1
      let given = min(attemptTimeout, left)
      let result = try await attempt(given)
      // An attempt cut short by the deadline that got no answer says less than the one before it
      // (`no answer within 34ms` would hide an `HTTP 500`): the verdict keeps the more telling one.
      if result.passed || result.code != nil || given == attemptTimeout || last == nil { last = result }
      inRow = result.passed ? inRow + 1 : 0
      await progress(attempts, result, inRow)
      if inRow >= times {
        return Verdict(passed: true, attempts: attempts, passesInRow: inRow, last: result, elapsed: clock.now - started)
      }
      // Another attempt only when it can start before the deadline.
      let next = clock.now + interval
      guard next < deadline else { break }
      try await clock.sleep(until: next)
    }
    return Verdict(passed: false, attempts: attempts, passesInRow: inRow, last: last, elapsed: clock.now - started)
  }
}
