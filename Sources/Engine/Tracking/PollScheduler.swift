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
/// The next list call comes `settle` after the earliest expected completion (so completions
/// expected within `settle` of each other share one call), and again every `settle` while a
/// request is inside its shape's window. Requests with no forecast, or past their forecast, fall
/// back to the blind backoff of `PollInterval`, which only a *surprise* (a request ending that was
/// not forecast) brings back to the minimum. Every wait stays within the minimum and maximum.
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

  struct Forecast: Sendable, Equatable {
    var shape: String
    var types: [String] = []
    var action: String = "create"
    var createdAt: Date
    /// When the next list call should look at this request; nil: no forecast (blind backoff).
    var checkAt: Date?
    /// The end of the shape's window (`createdAt + high`); nil for a progress-only forecast.
    var windowEnd: Date?
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
    forecasts[key] = forecast(shape: shape, types: resourceTypes, request: request, now: now)
  }

  /// A watched request ended: learns its run time when it succeeded, and notes a surprise when it
  /// was not forecast.
  mutating func finished(_ key: String, request: DeploymentRequest, resourceTypes: [String] = [], now: Date) {
    let previous = forecasts.removeValue(forKey: key)
    if previous?.checkAt == nil { surprised = true }
    guard request.status == .successful, let completedAt = request.completedAt else { return }
    let shape = previous?.shape ?? Self.shape(of: request, resourceTypes: resourceTypes)
    let before = learned[shape]
    var times = before ?? RunTimes(types: previous?.types ?? resourceTypes, action: Self.action(of: request))
    times.add(completedAt.timeIntervalSince(request.createdAt))
    learned[shape] = times
    // Others of the same shape now have (or get a better) forecast.
    guard before == nil || abs(before!.low - times.low) > 0.01 || abs(before!.high - times.high) > 0.01 else {
      return
    }
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

  /// The watch is gone (ended, cancelled, not found).
  mutating func forget(_ key: String) { forecasts[key] = nil }

  /// The time of the next list call, after one made at `polledAt` and processed by `now`.
  mutating func nextPoll(polledAt: Date, now: Date, using generator: inout some RandomNumberGenerator) -> Date {
    var earliest = Date.distantFuture
    var blindWatches = false
    for index in forecasts.indices {
      var forecast = forecasts.values[index]
      if let check = forecast.checkAt, check <= polledAt {
        // The call just made covered the forecast and the request was not done.
        if let end = forecast.windowEnd, polledAt < end.addingTimeInterval(settle) {
          forecast.checkAt = polledAt.addingTimeInterval(settle)
        } else {
          forecast.checkAt = nil
        }
        forecasts.values[index] = forecast
      }
      if let check = forecast.checkAt { earliest = min(earliest, check) } else { blindWatches = true }
    }
    let blindWait = blindWatches ? blind.next(changed: surprised, using: &generator).seconds : maximum
    surprised = false
    let candidate = min(earliest, now.addingTimeInterval(blindWait))
    return min(max(candidate, now.addingTimeInterval(minimum)), now.addingTimeInterval(maximum))
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
    guard now < end.addingTimeInterval(settle) else { return nil }
    var forecast = forecast
    forecast.checkAt = max(forecast.createdAt.addingTimeInterval(low + settle), now)
    forecast.windowEnd = end
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
