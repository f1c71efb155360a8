/// The adaptive wait between two ticks of one project's loop.
///
/// Starts at `minInterval`; every quiet tick multiplies it by `backoffFactor` up to
/// `maxInterval`; a change or a new watch brings it back to `minInterval`. The wait
/// actually slept is jittered by ±`jitter`.
struct PollInterval: Sendable {
  private(set) var minimum: Duration
  private(set) var maximum: Duration
  let factor: Double
  let jitter: Double
  private(set) var current: Duration

  init(_ configuration: TrackerConfiguration) {
    minimum = configuration.minInterval
    maximum = configuration.maxInterval
    factor = configuration.backoffFactor
    jitter = configuration.jitter
    current = configuration.minInterval
  }

  /// New bounds (a config reload); the current wait is kept inside them.
  mutating func rebound(minimum: Duration, maximum: Duration) {
    self.minimum = minimum
    self.maximum = Swift.max(minimum, maximum)
    current = Swift.min(Swift.max(current, self.minimum), self.maximum)
  }

  /// Back to the fast interval.
  mutating func reset() { current = minimum }

  /// The wait after a tick; `changed` tells whether it saw anything new.
  mutating func next(changed: Bool, using generator: inout some RandomNumberGenerator) -> Duration {
    if changed {
      current = minimum
    } else {
      current = min(current * factor, maximum)
    }
    guard jitter > 0 else { return current }
    let spread = Double.random(in: (1 - jitter)...(1 + jitter), using: &generator)
    return current * spread
  }
}
