/// Slows down a client that keeps presenting bad credentials, so guessing tokens costs time.
///
/// Per client address: after `allowedFailures` failures within `window`, every further failed
/// attempt is answered only after a delay, `initialDelay` doubling per failure up to `maxDelay`.
/// A success resets the client. Clients not seen for a `window` are forgotten, and at most
/// `maxClients` are remembered (the ones seen longest ago go first), so a scan from many
/// addresses cannot grow memory without bound.
public actor AuthFailureThrottle {
  public typealias Instant = ContinuousClock.Instant

  private struct Client {
    /// Failures within the window, oldest first; never more than the delay needs to reach its cap.
    var failures: [Instant]
    var lastSeen: Instant
  }

  public let allowedFailures: Int
  public let window: Duration
  public let initialDelay: Duration
  public let maxDelay: Duration
  public let maxClients: Int
  private let now: @Sendable () -> Instant
  private var clients: [String: Client] = [:]

  /// - Parameter now: the current instant (a test's manual clock; `ContinuousClock.now` otherwise).
  public init(
    allowedFailures: Int = 5, window: Duration = .seconds(60), initialDelay: Duration = .milliseconds(250),
    maxDelay: Duration = .seconds(5), maxClients: Int = 10_000,
    now: @escaping @Sendable () -> Instant = { ContinuousClock.now }
  ) {
    self.allowedFailures = allowedFailures
    self.window = window
    self.initialDelay = initialDelay
    self.maxDelay = maxDelay
    self.maxClients = max(1, maxClients)
    self.now = now
  }

  /// Records a failed attempt from `client` and returns how long to wait before answering it.
  public func recordFailure(from client: String) -> Duration {
    let now = now()
    var entry = clients[client] ?? Client(failures: [], lastSeen: now)
    entry.failures.removeAll { now - $0 >= window }
    entry.failures.append(now)
    // Past this many, the delay is at its cap whatever the count: no need to remember more.
    let remembered = allowedFailures + cappedDoublings + 1
    if entry.failures.count > remembered { entry.failures.removeFirst(entry.failures.count - remembered) }
    entry.lastSeen = now
    clients[client] = entry
    if clients.count > maxClients { evict(now: now) }
    return delay(afterFailures: entry.failures.count)
  }

  /// A client that authenticated starts afresh.
  public func recordSuccess(from client: String) {
    clients[client] = nil
  }

  /// How many clients are remembered (bounded by `maxClients`).
  public var trackedClients: Int { clients.count }

  /// The delay for the `count`th failure within the window: none up to `allowedFailures`, then
  /// `initialDelay`, doubled per further failure, at most `maxDelay`.
  func delay(afterFailures count: Int) -> Duration {
    let excess = count - allowedFailures
    guard excess > 0 else { return .zero }
    var delay = initialDelay
    for _ in 1..<excess {
      delay *= 2
      if delay >= maxDelay { return maxDelay }
    }
    return min(delay, maxDelay)
  }

  /// How many doublings take `initialDelay` to `maxDelay`.
  private var cappedDoublings: Int {
    var delay = initialDelay
    var doublings = 0
    while delay < maxDelay && delay > .zero {
      delay *= 2
      doublings += 1
    }
    return doublings
  }

  /// Forgets clients whose last failure left the window; if still too many, those seen longest ago.
  private func evict(now: Instant) {
    clients = clients.filter { now - $0.value.lastSeen < window }
    let excess = clients.count - maxClients
    guard excess > 0 else { return }
    // Down to 90 %, so a steady stream of new addresses does not sort on every failure.
    let target = max(0, excess + maxClients / 10)
    for key in clients.sorted(by: { $0.value.lastSeen < $1.value.lastSeen }).prefix(target).map(\.key) {
      clients[key] = nil
    }
  }
}
