import Foundation
import Testing
import VRAModels

@testable import Engine

/// The poll schedule with made-up times: no clock, no simulator.
@Suite("Poll scheduler")
struct PollSchedulerTests {
  static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

  static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

  static func scheduler(min: Double = 0.5, max: Double = 10, settle: Double = 1) -> PollScheduler {
    PollScheduler(
      TrackerConfiguration(
        minInterval: .milliseconds(Int(min * 1000)), maxInterval: .milliseconds(Int(max * 1000)), backoffFactor: 2,
        jitter: 0, noticeTarget: .milliseconds(Int(settle * 1000))))
  }

  /// A request created at `created` (seconds after t0), `done` of `total` tasks at `updated`.
  static func request(
    created: Double, done: Int, total: Int = 3, updated: Double? = nil, status: RequestStatus = .inProgress,
    completed: Double? = nil, blueprint: String = "bp-1"
  ) -> DeploymentRequest {
    var request = DeploymentRequest(
      id: "r", name: "Create", deploymentId: "d", requestedBy: "admin", status: status, completedTasks: done,
      totalTasks: total, createdAt: at(created))
    request.blueprintId = blueprint
    request.updatedAt = updated.map(at)
    request.completedAt = completed.map(at)
    return request
  }

  static func next(
    _ scheduler: inout PollScheduler, polledAt: Double, now: Double? = nil, listed: Bool = true
  ) -> Double {
    var generator = SystemRandomNumberGenerator()
    let next = scheduler.nextPoll(
      polledAt: at(polledAt), now: at(now ?? polledAt), listed: listed, using: &generator)
    return next.timeIntervalSince(t0)
  }

  @Test("a shape that finished before: the next call comes `settle` after the fastest run, not at the backoff")
  func learnedShape() {
    var scheduler = Self.scheduler()
    // One of the shape took 60 s (created at -100, done at -40).
    scheduler.observe("old", request: Self.request(created: -100, done: 1, updated: -99), now: Self.at(-99))
    scheduler.finished(
      "old", request: Self.request(created: -100, done: 3, status: .successful, completed: -40), now: Self.at(-40))
    scheduler.observe("new", request: Self.request(created: 0, done: 1, updated: 1), now: Self.at(55))
    // Expected at 60: the call comes at 61, not 0.5 s later (a change) nor 10 s later (the maximum).
    #expect(abs(Self.next(&scheduler, polledAt: 55) - 61) < 0.001)
  }

  @Test("learning a shape gives a forecast to the requests of that shape already watched")
  func learningUpdatesOthers() {
    var scheduler = Self.scheduler(max: 100)
    scheduler.observe("a", request: Self.request(created: 0, done: 1, updated: 1), now: Self.at(2))
    scheduler.observe("b", request: Self.request(created: 5, done: 1, updated: 6), now: Self.at(10))
    #expect(scheduler.forecasts["b"]?.checkAt == nil)  // 1 of 3 done at 1 s a task: expected long ago
    scheduler.finished(
      "a", request: Self.request(created: 0, done: 3, status: .successful, completed: 30), now: Self.at(30.2))
    #expect(scheduler.forecasts["b"]?.checkAt == Self.at(36))
    #expect(abs(Self.next(&scheduler, polledAt: 30.2) - 36) < 0.001)
  }

  @Test("another shape (a different blueprint or resource types) learns nothing from it")
  func shapesAreSeparate() {
    var scheduler = Self.scheduler(max: 100)
    scheduler.observe("a", request: Self.request(created: 0, done: 1, updated: 1), now: Self.at(10))
    scheduler.observe(
      "b", request: Self.request(created: 0, done: 1, updated: 1, blueprint: "bp-2"), now: Self.at(10))
    scheduler.observe(
      "c", request: Self.request(created: 0, done: 1, updated: 1), resourceTypes: ["Cloud.vSphere.Machine"],
      now: Self.at(10))
    scheduler.finished(
      "a", request: Self.request(created: 0, done: 3, status: .successful, completed: 30), now: Self.at(30.2))
    #expect(scheduler.forecasts["b"]?.checkAt == nil)
    #expect(scheduler.forecasts["c"]?.checkAt == nil)
  }

  @Test("with no history, a request in its last task is expected at the pace of its finished tasks")
  func fromProgress() {
    var scheduler = Self.scheduler(max: 100)
    // 3 of 4 tasks done 30 s after creation: 10 s a task, so done at 40.
    scheduler.observe("a", request: Self.request(created: 0, done: 3, total: 4, updated: 30), now: Self.at(31))
    #expect(abs(Self.next(&scheduler, polledAt: 31) - 41) < 0.001)
    // Earlier than its last task the pace says little (a network, then a machine): no forecast.
    scheduler.observe("b", request: Self.request(created: 0, done: 2, total: 4, updated: 20), now: Self.at(31))
    #expect(scheduler.forecasts["b"]?.checkAt == nil)
  }

  @Test("a request whose resource types include a learned shape's is expected no sooner than that shape")
  func lowerBoundFromSubset() {
    var scheduler = Self.scheduler(max: 100)
    let machine = ["Cloud.vSphere.Machine"]
    let machineAndDisk = ["Cloud.vSphere.Machine", "Cloud.vSphere.Disk"]
    let network = ["Cloud.NSX.Network"]
    scheduler.observe(
      "m", request: Self.request(created: 0, done: 1, updated: 1), resourceTypes: machine, now: Self.at(1))
    scheduler.observe(
      "md", request: Self.request(created: 10, done: 1, total: 4, updated: 11), resourceTypes: machineAndDisk,
      now: Self.at(11))
    scheduler.observe(
      "n", request: Self.request(created: 10, done: 1, updated: 11), resourceTypes: network, now: Self.at(11))
    #expect(scheduler.forecasts["md"]?.checkAt == nil)
    // The machine alone took 50 s: machine + disk, created at 10, is expected from 60 on.
    scheduler.finished(
      "m", request: Self.request(created: 0, done: 3, status: .successful, completed: 50), resourceTypes: machine,
      now: Self.at(50.5))
    #expect(scheduler.forecasts["md"]?.checkAt == Self.at(61))
    #expect(scheduler.forecasts["n"]?.checkAt == nil)  // a network alone can be quicker than a machine
    scheduler.forget("n")
    #expect(Self.next(&scheduler, polledAt: 50.5) == 61)
  }

  @Test("a request waiting for approval has no forecast: blind backoff")
  func approvalHasNoForecast() {
    var scheduler = Self.scheduler()
    scheduler.observe(
      "a", request: Self.request(created: 0, done: 3, total: 4, updated: 30, status: .approvalPending),
      now: Self.at(21))
    #expect(scheduler.forecasts["a"]?.checkAt == nil)
  }

  @Test("inside its shape's window, and overdue by up to the grace, a request is rechecked every `settle`; then blind")
  func windowThenBlind() {
    var scheduler = Self.scheduler(max: 10)
    // Runs of 60 s and 64 s: the window is [60, 64]; the grace a tenth of 64 s.
    for (key, end) in [("x", 60.0), ("y", 64.0)] {
      scheduler.observe(key, request: Self.request(created: -100, done: 1, updated: -99), now: Self.at(-99))
      scheduler.finished(
        key, request: Self.request(created: -100, done: 3, status: .successful, completed: -100 + end),
        now: Self.at(-30))
    }
    #expect(scheduler.grace(high: 64) == 6.4)
    scheduler.observe("a", request: Self.request(created: 0, done: 1, updated: 1), now: Self.at(55))
    var polls: [Double] = []
    var time = 55.0
    for _ in 0..<15 {
      time = Self.next(&scheduler, polledAt: time)
      polls.append(time)
    }
    // 61 (fastest + settle), then every second to the end of the window (64 + settle) and through
    // the grace (to 71.4), then the blind backoff: it was never used, so it starts at its first
    // step (0.5 s × 2).
    #expect(
      polls.map { ($0 * 1000).rounded() / 1000 } == [61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 75, 79])
    // A request that had a forecast ends late: no surprise, the blind backoff keeps its pace.
    scheduler.observe("b", request: Self.request(created: 70, done: 0, blueprint: "bp-2"), now: Self.at(79))
    scheduler.finished(
      "a", request: Self.request(created: 0, done: 3, status: .successful, completed: 80), now: Self.at(80))
    #expect(Self.next(&scheduler, polledAt: 80) == 88)
  }

  @Test("the call for an expected completion is sent the list's response time early, and no earlier than it")
  func leadFollowsResponseTime() {
    var scheduler = Self.scheduler(max: 100, settle: 1)
    // The shape takes 60 s to 64 s; "a", created at 0, is expected from 60 on.
    for (key, end) in [("x", 60.0), ("y", 64.0)] {
      scheduler.observe(key, request: Self.request(created: -100, done: 1, updated: -99), now: Self.at(-99))
      scheduler.finished(
        key, request: Self.request(created: -100, done: 3, status: .successful, completed: -100 + end),
        now: Self.at(-30))
    }
    scheduler.observe("a", request: Self.request(created: 0, done: 1, updated: 1), now: Self.at(55))
    scheduler.answered(after: 0.4)
    // Handed over 1 s after 60 when the answer takes 0.4 s: sent at 60.6.
    #expect(abs(Self.next(&scheduler, polledAt: 55) - 60.6) < 0.001)
    // Not done yet: the next one is due 1 s after the call just sent, minus the lead.
    #expect(abs(Self.next(&scheduler, polledAt: 60.6) - 61.2) < 0.001)
    // A response slower than `settle` sends the call when the completion is expected, never before.
    scheduler.answered(after: 10)
    scheduler.answered(after: 10)
    scheduler.answered(after: 10)
    scheduler.answered(after: 10)
    scheduler.answered(after: 10)
    #expect(scheduler.responseTime > 1)
    _ = Self.next(&scheduler, polledAt: 61.2)
    #expect(scheduler.lead == 1)
    #expect(abs(Self.next(&scheduler, polledAt: 61.2) - 61.2 - 0.5) < 0.001)  // the minimum
  }

  @Test("requests whose windows open one after the other share a call every `settle` once a list showed them not done")
  func staggeredWindowsShareCalls() {
    var scheduler = Self.scheduler(min: 0.25, max: 20, settle: 1)
    // The shape takes 60 s to 64 s; a request is created every 0.3 s, so a window opens every 0.3 s
    // from 60 s to 65.7 s.
    for (key, end) in [("x", 60.0), ("y", 64.0)] {
      scheduler.observe(key, request: Self.request(created: -100, done: 1, updated: -99), now: Self.at(-99))
      scheduler.finished(
        key, request: Self.request(created: -100, done: 3, status: .successful, completed: -100 + end),
        now: Self.at(-30))
    }
    for index in 0..<20 {
      let created = 0.3 * Double(index)
      scheduler.observe(
        "r\(index)", request: Self.request(created: created, done: 1, updated: created + 1), now: Self.at(50))
    }
    var polls: [Double] = []
    var time = 50.0
    for _ in 0..<3 {
      time = Self.next(&scheduler, polledAt: time)
      polls.append((time * 1000).rounded() / 1000)
    }
    // The first window opens at 60 (due at 61); then one call a second: each call's answer showed
    // every open window not done, so the windows opening in between wait for the next.
    #expect(polls == [61, 62, 63])
    var answered = scheduler
    #expect(abs(Self.next(&answered, polledAt: 63) - 64) < 0.001)
    // A call whose list failed showed nothing: a window that opened after the last call that
    // answered (62.1, due at 63.1) is due as it was, no later than the minimum after this call.
    var failed = scheduler
    #expect(abs(Self.next(&failed, polledAt: 63, listed: false) - 63.25) < 0.001)
  }

  @Test("run times learned in another project's schedule forecast this one's requests of that shape")
  func learnedElsewhere() throws {
    var here = Self.scheduler(max: 100)
    var there = Self.scheduler(max: 100)
    here.observe("a", request: Self.request(created: 0, done: 1, updated: 1), now: Self.at(2))
    #expect(here.nextDue == nil)
    there.observe("b", request: Self.request(created: -40, done: 1, updated: -39), now: Self.at(-39))
    let learnedThere = there.finished(
      "b", request: Self.request(created: -40, done: 3, status: .successful, completed: -10), now: Self.at(-10))
    let sample = try #require(learnedThere)
    #expect(sample.seconds == 30)
    // A failure teaches no run time.
    there.observe("c", request: Self.request(created: -40, done: 1, updated: -39), now: Self.at(-39))
    let failedThere = there.finished(
      "c", request: Self.request(created: -40, done: 1, status: .failed, completed: -5), now: .now)
    #expect(failedThere == nil)
    #expect(here.changesForecasts(sample.shape, there.learned[sample.shape]!))
    here.learn(sample.shape, there.learned[sample.shape]!, now: Self.at(3))
    #expect(!here.changesForecasts(sample.shape, there.learned[sample.shape]!))
    // Expected at 30: handed over at 31, so due at 31 (no list answered yet: no lead).
    #expect(here.nextDue == Self.at(31))
    #expect(abs(Self.next(&here, polledAt: 3) - 31) < 0.001)
    // Due no sooner than the minimum after the last call.
    here.observe("d", request: Self.request(created: -28.5, done: 1, updated: 1), now: Self.at(3))
    #expect(here.nextDue == Self.at(3.5))
  }

  @Test("quiet watches without a forecast back off to the maximum; an unforecast end brings the minimum back")
  func blindBackoffAndSurprise() {
    var scheduler = Self.scheduler(min: 0.5, max: 8)
    scheduler.observe("a", request: Self.request(created: 0, done: 0, total: 3), now: Self.at(0))
    scheduler.observe("b", request: Self.request(created: 0, done: 0, total: 3), now: Self.at(0))
    var time = 0.0
    var waits: [Double] = []
    for _ in 0..<5 {
      let next = Self.next(&scheduler, polledAt: time)
      waits.append(next - time)
      time = next
    }
    #expect(waits == [1, 2, 4, 8, 8])
    // "a" FAILED without a forecast: the project polls fast again ("b" may be failing too).
    scheduler.finished("a", request: Self.request(created: 0, done: 1, status: .failed, completed: time), now: .now)
    #expect(Self.next(&scheduler, polledAt: time) - time == 0.5)
  }

  @Test("at the maximum, blind polls fall on the project's turn in each cycle of the clock")
  func blindTurn() {
    var scheduler = Self.scheduler(min: 0.5, max: 8)
    scheduler.blindTurn = 3.0 / 8  // 3 s into every 8 s cycle
    #expect(Self.t0.timeIntervalSinceReferenceDate.truncatingRemainder(dividingBy: 8) == 0)
    scheduler.observe("a", request: Self.request(created: 0, done: 0, total: 3), now: Self.at(0))
    var time = 0.0
    var polls: [Double] = []
    for _ in 0..<7 {
      time = Self.next(&scheduler, polledAt: time)
      polls.append(time)
    }
    // The backoff (1, 2, 4 s: jitter 0) up to the maximum, then 3 s into each 8 s cycle: 11, 19, 27, 35.
    #expect(polls == [1, 3, 7, 11, 19, 27, 35])
    // Whatever the time, the turn is at most one maximum away.
    #expect(PollScheduler.slotWait(after: Self.at(19), phase: 3, period: 8) == 8)
    #expect(PollScheduler.slotWait(after: Self.at(19.5), phase: 3, period: 8) == 7.5)
    #expect(PollScheduler.slotWait(after: Self.at(-6), phase: 3, period: 8) == 1)
  }

  @Test("a forecast end is no surprise: the blind backoff keeps growing")
  func forecastEndIsNoSurprise() {
    var scheduler = Self.scheduler(min: 0.5, max: 8)
    scheduler.observe("a", request: Self.request(created: 0, done: 3, total: 4, updated: 30), now: Self.at(30))
    scheduler.observe("b", request: Self.request(created: 0, done: 0, total: 3), now: Self.at(30))
    #expect(Self.next(&scheduler, polledAt: 30) == 31)  // blind 1 s: sooner than a's 41
    #expect(Self.next(&scheduler, polledAt: 31) == 33)
    scheduler.finished(
      "a", request: Self.request(created: 0, done: 4, total: 4, status: .successful, completed: 32), now: Self.at(33))
    #expect(Self.next(&scheduler, polledAt: 33) == 37)
  }

  @Test("every wait stays within the minimum and the maximum")
  func bounds() {
    var scheduler = Self.scheduler(min: 2, max: 5)
    // Expected at 40, far beyond the maximum: the call comes at the maximum.
    scheduler.observe("a", request: Self.request(created: 0, done: 3, total: 4, updated: 30), now: Self.at(20))
    #expect(Self.next(&scheduler, polledAt: 20) == 25)
    // Expected at 24 + settle, 0.5 s from now: no sooner than the minimum.
    scheduler.forget("a")
    scheduler.observe("b", request: Self.request(created: 0, done: 2, total: 3, updated: 16), now: Self.at(24.5))
    #expect(Self.next(&scheduler, polledAt: 24.5) == 26.5)
    // Nothing watched: the maximum.
    scheduler.forget("b")
    #expect(Self.next(&scheduler, polledAt: 30) == 35)
  }
}
