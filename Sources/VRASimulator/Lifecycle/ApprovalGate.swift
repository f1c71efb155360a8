import Foundation
import VRAModels

/// Where approval sits in a request's timeline: between INITIALIZATION and INPROGRESS, in the order
/// of vRA's status enum (`INITIALIZATION`, `CHECKING_APPROVAL`, `APPROVAL_PENDING`, ..., `INPROGRESS`).
enum ApprovalGate {
  /// The timeline with `CHECKING_APPROVAL` halfway between INITIALIZATION and INPROGRESS and, when the
  /// request needs approval, `APPROVAL_PENDING` three quarters of the way, the rest (INPROGRESS on)
  /// held back as `held` until a decision. A timeline without those two statuses is left alone.
  static func gate(_ steps: [ScheduledStep], pending: Bool) -> (steps: [ScheduledStep], held: [ScheduledStep]?) {
    guard let initialized = steps.firstIndex(where: { $0.isStatus(.initialization) }),
      let running = steps.firstIndex(where: { $0.isStatus(.inProgress) }), initialized < running
    else { return (steps, nil) }
    let from = steps[initialized].at
    let window = steps[running].at.timeIntervalSince(from)
    var before = Array(steps[..<running])
    before.append(ScheduledStep(at: from.addingTimeInterval(window * 0.5), kind: .status(.checkingApproval)))
    guard pending else { return (before + steps[running...], nil) }
    before.append(ScheduledStep(at: from.addingTimeInterval(window * 0.75), kind: .status(.approvalPending)))
    return (before, Array(steps[running...]))
  }

  /// The held steps moved so that the first comes `lead` after `decidedAt` (never earlier than planned
  /// relative to each other: the whole block shifts).
  static func release(_ held: [ScheduledStep], decidedAt: Date, lead: TimeInterval) -> [ScheduledStep] {
    guard let first = held.first else { return [] }
    let shift = max(0, decidedAt.addingTimeInterval(lead).timeIntervalSince(first.at))
    return held.map { ScheduledStep(at: $0.at.addingTimeInterval(shift), kind: $0.kind) }
  }
}

extension ScheduledStep {
  func isStatus(_ status: RequestStatus) -> Bool {
    if case .status(let value) = kind { return value == status }
    return false
  }
}
