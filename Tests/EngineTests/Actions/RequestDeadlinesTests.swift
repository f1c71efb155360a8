import Testing
import VRAModels

@testable import Engine

/// The two clocks of a followed request: random status sequences against a model that adds up the
/// time spent working and awaiting approval step by step.
@Suite("Request deadlines")
struct RequestDeadlinesTests {
  typealias Instant = ContinuousClock.Instant

  @Test("approval time never counts against the timeout, and only it counts against the approval timeout")
  func randomSequencesAgreeWithTheModel() {
    var random = SeededGenerator(seed: 0x18)
    let statuses: [RequestStatus] = [
      .created, .checkingApproval, .approvalPending, .inProgress, .checkingApproval, .approvalPending, .inProgress,
    ]
    for _ in 0..<500 {
      let start = ContinuousClock.now
      let timeout: Duration? = random.chance(0.8) ? .seconds(Int.random(in: 5..<65, using: &random)) : nil
      let approvalTimeout: Duration? = random.chance(0.7) ? .seconds(Int.random(in: 5..<65, using: &random)) : nil
      var deadlines = RequestDeadlines(started: start, timeout: timeout, approvalTimeout: approvalTimeout)
      var working = Duration.zero
      var approving = Duration.zero
      var now = start
      var awaiting = false
      for _ in 0..<40 {
        let status = statuses.randomElement(using: &random)!
        let change = deadlines.observe(status, at: now)
        let isApproval = status == .checkingApproval || status == .approvalPending
        if isApproval, !awaiting { #expect(change == .approvalRequested(status)) }
        if !isApproval, awaiting { #expect(change == .approvalGranted) }
        if !isApproval, !awaiting { #expect(change == nil) }
        awaiting = isApproval
        let step = Duration.seconds(Int.random(in: 0..<5, using: &random))
        now += step
        if awaiting { approving += step } else { working += step }
        let expired = deadlines.expired(at: now)
        let expected: RequestDeadlines.Expiry? =
          if awaiting, let approvalTimeout, approving >= approvalTimeout {
            .approval(approvalTimeout)
          } else if !awaiting, let timeout, working >= timeout { .timeout(timeout) } else { nil }
        #expect(expired == expected, "working \(working), approving \(approving), awaiting \(awaiting)")
        if expired != nil { break }
      }
    }
  }

  @Test("a rejection ends the approval wait without calling it approved")
  func rejection() {
    let start = ContinuousClock.now
    var deadlines = RequestDeadlines(started: start, timeout: .seconds(10), approvalTimeout: nil)
    #expect(deadlines.observe(.approvalPending, at: start) == .approvalRequested(.approvalPending))
    #expect(deadlines.nextExpiry() == nil, "no approval timeout: wait for the people")
    #expect(deadlines.observe(.approvalRejected, at: start + .seconds(3600)) == nil)
    #expect(deadlines.nextExpiry()?.at == start + .seconds(3610))
  }
}
