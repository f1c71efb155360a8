import Synchronization
import VRAModels

/// The two clocks a followed request runs on. While vRA checks or waits for an approval
/// (`CHECKING_APPROVAL`, `APPROVAL_PENDING`) the stage's `timeout` stands still and the
/// `approvalTimeout` runs; otherwise the other way round. A person who approves after an hour
/// does not eat the provisioning time, and a stage with no `approvalTimeout` waits for them.
///
/// A value fed with what the tracker saw, every time as an argument: no clock or I/O in here.
struct RequestDeadlines: Sendable, Equatable {
  typealias Instant = ContinuousClock.Instant

  enum Phase: Sendable, Equatable {
    case working
    /// Waiting for an approval since then (vRA's status: `CHECKING_APPROVAL` or `APPROVAL_PENDING`).
    case awaitingApproval(since: Instant, status: RequestStatus)
  }

  /// What changed with an observation, for the caller to tell the user.
  enum Transition: Sendable, Equatable {
    case approvalRequested(RequestStatus)
    case approvalGranted
  }

  /// A deadline that passed.
  enum Expiry: Error, Sendable, Equatable {
    /// The request ran longer than `timeout`, time awaiting approval not counted.
    case timeout(Duration)
    /// The request waited for an approval longer than `approvalTimeout`.
    case approval(Duration)
  }

  let started: Instant
  let timeout: Duration?
  let approvalTimeout: Duration?
  private(set) var phase: Phase = .working
  /// Time spent awaiting approval in earlier waits (a request may be sent back for approval).
  private(set) var approvalSpent: Duration = .zero

  init(started: Instant, timeout: Duration?, approvalTimeout: Duration?) {
    self.started = started
    self.timeout = timeout
    self.approvalTimeout = approvalTimeout
  }

  static func isApproval(_ status: RequestStatus?) -> Bool {
    status == .checkingApproval || status == .approvalPending
  }

  /// Takes the request's status as seen at `now`.
  mutating func observe(_ status: RequestStatus?, at now: Instant) -> Transition? {
    switch (phase, Self.isApproval(status)) {
    case (.working, true):
      phase = .awaitingApproval(since: now, status: status!)
      return .approvalRequested(status!)
    case (.awaitingApproval(let since, let was), true):
      guard status != was else { return nil }
      phase = .awaitingApproval(since: since, status: status!)
      // CHECKING_APPROVAL → APPROVAL_PENDING: a policy applies; worth saying.
      return .approvalRequested(status!)
    case (.awaitingApproval(let since, _), false):
      approvalSpent += since.duration(to: now)
      phase = .working
      // A rejection (or a cancel) ends the request: the caller reports that end, not an approval.
      return status == .approvalRejected || status == .aborted ? nil : .approvalGranted
    case (.working, false):
      return nil
    }
  }

  /// When the running clock runs out, and as what; nil: no limit now.
  func nextExpiry() -> (at: Instant, expiry: Expiry)? {
    switch phase {
    case .working:
      guard let timeout else { return nil }
      return (started + timeout + approvalSpent, .timeout(timeout))
    case .awaitingApproval(let since, _):
      guard let approvalTimeout else { return nil }
      return (since + approvalTimeout - approvalSpent, .approval(approvalTimeout))
    }
  }

  /// The expiry that passed at `now`, if any.
  func expired(at now: Instant) -> Expiry? {
    guard let next = nextExpiry(), next.at <= now else { return nil }
    return next.expiry
  }
}

extension RequestDeadlines {
  /// The deadlines the tracker's progress callback updates and the watchdog reads.
  final class Shared: Sendable {
    private let value: Mutex<RequestDeadlines>

    init(_ deadlines: RequestDeadlines) { value = Mutex(deadlines) }

    func withLock<T: Sendable>(_ body: (inout RequestDeadlines) -> T) -> T { value.withLock { body(&$0) } }
  }
}
