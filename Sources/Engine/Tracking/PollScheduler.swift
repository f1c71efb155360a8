import Foundation
import VRAModels

/// When one project's next list call should happen, from what the tracker knows of its watches.
///
/// A pure value: every time comes in as an argument (vRA's stamps for the requests, `now` for the
/// tracker's own clock); nothing here reads a clock or does I/O.
///
/// Each watched request gets a *forecast*: the time by which it is expected to be done.
/// - A request whose *shape* (its resources' types when the caller gave them, else its blueprint or
///   catalog item, action and task count) finished before is expected between `createdAt + low` and
///   `createdAt + high`, the fastest and slowest of the recent runs of that shape.
/// - A request of resource types of which a learned shape holds a part takes at least as long as
///   that shape: it is expected from `createdAt + low` of the longest such shape, for as long again.
/// - Otherwise, in its last task, its own progress tells: the pace its earlier tasks took
///   (`(updatedAt - createdAt) / completedTasks` each). Earlier than the last task that pace says
///   little (a network takes seconds, the machine after it minutes) and gives no forecast.
/// - A request waiting for approval or a user, or with no progress yet, has no forecast.
///
/// The next list call is timed so the earliest expected completion is *handed over* `settle` after
/// it: it is sent `settle` minus the project's list response time (`lead`, learned from the calls
/// made, at most `settle`) after that completion, so completions expected within that time of each
/// other share one call. While a request is inside its shape's window, or overdue by at most
/// `grace` (vRA's own lateness), it is looked at again every such period, counted from the last
/// call whose list answered (it showed the request not done): so requests whose windows open one
/// after the other share one call every period instead of each pulling the next call earlier.
/// Requests with no forecast, or overdue by more, fall back to the blind backoff of
/// `PollInterval`, which only a *surprise* (a request ending that was never forecast) brings back
/// to the minimum. Every wait stays within the minimum and maximum.
///
/// Learned run times are shared by the tracker between the schedules of its projects (`learn`):
/// a shape finished in one project forecasts the same shape in every other. So the blind polls at
/// the maximum of the tracker's projects take turns (`blindTurn`) instead of falling together.
struct PollScheduler: Sendable {
  /// The backoff for requests without a forecast; its bounds are the scheduler's bounds.
  private(set) var blind: PollInterval
  /// How long after an expected completion the list call comes.
  let settle: TimeInterval
  /// How many recent run times of a shape are kept.
  static let samplesKept = 32

  private(set) var forecasts: [String: Forecast] = [:]
  private(set) var learned: [String: RunTimes] = [:]
  /// A request ended without a forecast since the last `nextPoll`.
  private(set) var surprised = false
  /// How long the project's list call takes to answer (a moving average), and the part of it that
  /// the schedule sends calls early by (at most `settle`).
  private(set) var responseTime: TimeInterval = 0
  private(set) var lead: TimeInterval = 0
  /// When the last list call was sent (`nextPoll`'s `polledAt`).
  private(set) var lastPoll: Date?
  /// Where in each `maximum`-long cycle of the clock this project's blind polls fall once the
  /// backoff reached the maximum (a fraction of the cycle), instead of a jittered maximum; nil:
  /// jitter. The tracker gives its projects turns spread over the cycle, so together they look at
  /// vRA about every `maximum / projects`, and what one of them learns times the others (`learn`).
  var blindTurn: Double?

  struct Forecast: Sendable, Equatable {
    var shape: String
    var types: [String] = []
    var action: String = "create"
    var createdAt: Date
    /// When the next list call should look at this request; nil: no forecast (blind backoff).
    var checkAt: Date?
    /// The end of the shape's window (`createdAt + high`); nil for a progress-only forecast.
    var windowEnd: Date?
    /// The request had a forecast at some point: its end is no surprise, even when late.
    var wasForecast = false
  }

  /// A run time to learn from: a request of `shape` that succeeded after `seconds`.
  struct Sample: Sendable, Equatable {
    var shape: String
    var types: [String]
    var action: String
    var seconds: TimeInterval
  }

  /// Recent run times (creation to completion, in vRA's stamps) of one shape.
  struct RunTimes: Sendable, Equatable {
    var types: [String] = []
    var action = "create"
    private(set) var samples: [TimeInterval] = []
    var low: TimeInterval { samples.min() ?? 0 }
    var high: TimeInterval { samples.max() ?? 0 }

    mutating func add(_ seconds: TimeInterval) {
      samples.append(seconds)
      if samples.count > PollScheduler.samplesKept { samples.removeFirst(samples.count - PollScheduler.samplesKept) }
    }
  }

  init(_ configuration: TrackerConfiguration) {
    blind = PollInterval(configuration)
    settle = configuration.noticeTarget.seconds
  }

  var minimum: TimeInterval { blind.minimum.seconds }
  var maximum: TimeInterval { blind.maximum.seconds }

  /// How long past its window a request is still looked at every period: vRA may show a step a
  /// little after the time it stamps it with. A tenth of the run time, at least `settle`, at most
  /// the maximum interval.
  func grace(high: TimeInterval) -> TimeInterval { max(settle, min(0.1 * high, maximum)) }

  /// A list call answered after `seconds`: the lead of the next calls follows it.
  mutating func answered(after seconds: TimeInterval) {
    guard seconds >= 0 else { return }
    responseTime = responseTime == 0 ? seconds : 0.8 * responseTime + 0.2 * seconds
  }

  /// New bounds (a config reload).
  mutating func rebound(minimum: Duration, maximum: Duration) { blind.rebound(minimum: minimum, maximum: maximum) }

  /// A new watch arrived: the blind backoff starts again from the minimum.
  mutating func reset() { blind.reset() }

  /// What identifies requests that should take about as long as each other.
  static func shape(of request: DeploymentRequest, resourceTypes: [String]) -> String {
    let action = action(of: request)
    let what =
      resourceTypes.isEmpty
      ? (request.blueprintId ?? request.catalogItemId ?? "?") : "types:" + resourceTypes.sorted().joined(separator: "+")
    return "\(what)|\(action)|\(request.totalTasks)"
  }

  static func action(of request: DeploymentRequest) -> String { request.actionId ?? "create" }

  /// Records the latest non-terminal state of a watched request (`key` is its deployment id).
  mutating func observe(_ key: String, request: DeploymentRequest, resourceTypes: [String] = [], now: Date) {
    guard request.status?.isTerminal != true else { return }
    let shape = Self.shape(of: request, resourceTypes: resourceTypes)
    var forecast = forecast(shape: shape, types: resourceTypes, request: request, now: now)
    forecast.wasForecast = forecast.checkAt != nil || forecasts[key]?.wasForecast == true
    forecasts[key] = forecast
  }

  /// A watched request ended: learns its run time when it succeeded (returned, for the tracker to
  /// share with its other projects), and notes a surprise when it was never forecast.
  @discardableResult
  mutating func finished(
    _ key: String, request: DeploymentRequest, resourceTypes: [String] = [], now: Date
  )
    -> Sample?
  {
    let previous = forecasts.removeValue(forKey: key)
    if previous?.checkAt == nil, previous?.wasForecast != true { surprised = true }
    guard request.status == .successful, let completedAt = request.completedAt else { return nil }
    let shape = previous?.shape ?? Self.shape(of: request, resourceTypes: resourceTypes)
    var times =
      learned[shape] ?? RunTimes(types: previous?.types ?? resourceTypes, action: Self.action(of: request))
    let seconds = completedAt.timeIntervalSince(request.createdAt)
    times.add(seconds)
    learn(shape, times, now: now)
    return Sample(shape: shape, types: times.types, action: times.action, seconds: seconds)
  }

  /// Whether learning `times` for `shape` changes forecasts (its fastest or slowest run moved).
  func changesForecasts(_ shape: String, _ times: RunTimes) -> Bool {
    guard let before = learned[shape] else { return true }
    return abs(before.low - times.low) > 0.01 || abs(before.high - times.high) > 0.01
  }

  /// The run times of a shape, learned here or in another project: forecasts follow them.
  mutating func learn(_ shape: String, _ times: RunTimes, now: Date) {
    let changes = changesForecasts(shape, times)
    learned[shape] = times
    // Others of the same shape now have (or get a better) forecast.
    guard changes else { return }
    for index in forecasts.indices {
      let forecast = forecasts.values[index]
      if forecast.shape == shape {
        forecasts.values[index] = window(of: times, from: forecast, now: now) ?? forecast
      } else if forecast.checkAt == nil, learned[forecast.shape] == nil,
        let bound = lowerBound(forecast), let updated = window(from: forecast, low: bound, high: 2 * bound, now: now)
      {
        forecasts.values[index] = updated
      }
    }
  }

  /// When the next list call is due by the forecasts alone (nil: none has one), no sooner than the
  /// minimum after the last call: the time to wake a loop that learned a shape from another project.
  var nextDue: Date? {
    guard let earliest = forecasts.values.lazy.compactMap(\.checkAt).min() else { return nil }
    let due = earliest.addingTimeInterval(-lead)
    guard let lastPoll else { return due }
    return max(due, lastPoll.addingTimeInterval(minimum))
  }

  /// The watch is gone (ended, cancelled, not found).
  mutating func forget(_ key: String) { forecasts[key] = nil }

  /// The time of the next list call, after one made at `polledAt` and processed by `now`.
  ///
  /// - Parameter listed: the call's list answered, so every watched request it did not show done
  ///   was not done when it was sent.
  mutating func nextPoll(
    polledAt: Date, now: Date, listed: Bool = true, using generator: inout some RandomNumberGenerator
  ) -> Date {
    var earliest = Date.distantFuture
    var blindWatches = false
    // Checks this call was sent for: due (`lead` before them) by the time it was sent (give or take
    // a millisecond of rounding).
    let covered = polledAt.addingTimeInterval(lead + 0.001)
    // A request inside its window that the answer showed not done ends after the call was sent:
    // `settle` after the call is soon enough for it, whatever check it was due for. So the
    // requests whose windows open one after the other share the calls of those already open
    // instead of each pulling the next call earlier.
    let seen = listed ? polledAt.addingTimeInterval(settle + 0.001) : covered
    for index in forecasts.indices {
      var forecast = forecasts.values[index]
      if let check = forecast.checkAt, check <= (forecast.windowEnd == nil ? covered : seen) {
        // The call just made covered the forecast and the request was not done: look again while it
        // is inside its window or not overdue by more than the grace.
        if let end = forecast.windowEnd,
          polledAt < end.addingTimeInterval(settle + grace(high: end.timeIntervalSince(forecast.createdAt)))
        {
          forecast.checkAt = polledAt.addingTimeInterval(settle)
        } else {
          forecast.checkAt = nil
        }
        forecasts.values[index] = forecast
      }
      if let check = forecast.checkAt { earliest = min(earliest, check) } else { blindWatches = true }
    }
    lastPoll = polledAt
    lead = min(responseTime, settle)
    var blindWait = blindWatches ? blind.next(changed: surprised, using: &generator).seconds : maximum
    if blindWatches, let turn = blindTurn, blind.current >= blind.maximum {
      blindWait = Self.slotWait(after: now, phase: turn * maximum, period: maximum)
    }
    surprised = false
    let candidate = min(earliest.addingTimeInterval(-lead), now.addingTimeInterval(blindWait))
    return min(max(candidate, now.addingTimeInterval(minimum)), now.addingTimeInterval(maximum))
  }

  /// The wait from `now` to the next instant, within one `period`, that is `phase` seconds into a
  /// `period`-long cycle of the clock (counted from the reference date).
  static func slotWait(after now: Date, phase: TimeInterval, period: TimeInterval) -> TimeInterval {
    guard period > 0 else { return 0 }
    let time = now.timeIntervalSinceReferenceDate
    let intoCycle = (time - phase).truncatingRemainder(dividingBy: period)
    let sinceSlot = intoCycle < 0 ? intoCycle + period : intoCycle
    return period - sinceSlot
  }

  // MARK: - Forecasts

  private func forecast(shape: String, types: [String], request: DeploymentRequest, now: Date) -> Forecast {
    var forecast = Forecast(shape: shape, types: types, action: Self.action(of: request), createdAt: request.createdAt)
    if let times = learned[shape] {
      return window(of: times, from: forecast, now: now) ?? forecast
    }
    if let bound = lowerBound(forecast), let window = window(from: forecast, low: bound, high: 2 * bound, now: now) {
      return window
    }
    if let expected = Self.fromProgress(request) {
      let check = expected.addingTimeInterval(settle)
      if check > now { forecast.checkAt = check }
    }
    return forecast
  }

  /// A forecast from a shape's past run times; nil once `now` is past the window.
  private func window(of times: RunTimes, from forecast: Forecast, now: Date) -> Forecast? {
    window(from: forecast, low: times.low, high: times.high, now: now)
  }

  private func window(from forecast: Forecast, low: TimeInterval, high: TimeInterval, now: Date) -> Forecast? {
    let end = forecast.createdAt.addingTimeInterval(high)
    guard now < end.addingTimeInterval(settle + grace(high: high)) else { return nil }
    var forecast = forecast
    forecast.checkAt = max(forecast.createdAt.addingTimeInterval(low + settle), now)
    forecast.windowEnd = end
    forecast.wasForecast = true
    return forecast
  }

  /// The fastest run of the longest learned shape whose resource types are all among the
  /// request's (same action): the request has at least that much to do.
  private func lowerBound(_ forecast: Forecast) -> TimeInterval? {
    guard !forecast.types.isEmpty else { return nil }
    var available: [String: Int] = [:]
    for type in forecast.types { available[type, default: 0] += 1 }
    var bound: TimeInterval?
    for times in learned.values where times.action == forecast.action && !times.types.isEmpty {
      var needed: [String: Int] = [:]
      for type in times.types { needed[type, default: 0] += 1 }
      guard needed.allSatisfy({ available[$0.key, default: 0] >= $0.value }) else { continue }
      bound = max(bound ?? 0, times.low)
    }
    return bound
  }

  /// When the request should be done at the pace of its finished tasks; nil without progress,
  /// or while it waits for an approval or a user.
  static func fromProgress(_ request: DeploymentRequest) -> Date? {
    let waiting: [RequestStatus] = [.approvalPending, .userInteractionPending, .checkingApproval]
    guard let status = request.status, !waiting.contains(status) else { return nil }
    let done = request.completedTasks
    let total = request.totalTasks
    guard done >= 1, total == done + 1, let last = request.updatedAt else { return nil }
    let elapsed = last.timeIntervalSince(request.createdAt)
    guard elapsed > 0 else { return nil }
    return last.addingTimeInterval(elapsed / Double(done) * Double(total - done))
  }
}
