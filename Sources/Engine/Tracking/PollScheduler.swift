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
/// - Otherwise its own progress tells: `completedTasks` of `totalTasks` done, at the pace its
///   earlier tasks took (`(updatedAt - createdAt) / completedTasks` each).
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
    var createdAt: Date
    /// When the next list call should look at this request; nil: no forecast (blind backoff).
    var checkAt: Date?
    /// The end of the shape's window (`createdAt + high`); nil for a progress-only forecast.
    var windowEnd: Date?
  }

  /// Recent run times (creation to completion, in vRA's stamps) of one shape.
  struct RunTimes: Sendable, Equatable {
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
    let action = request.actionId ?? "create"
    let what =
      resourceTypes.isEmpty
      ? (request.blueprintId ?? request.catalogItemId ?? "?") : "types:" + resourceTypes.sorted().joined(separator: "+")
    return "\(what)|\(action)|\(request.totalTasks)"
  }

  /// Records the latest non-terminal state of a watched request (`key` is its deployment id).
  mutating func observe(_ key: String, request: DeploymentRequest, resourceTypes: [String] = [], now: Date) {
    guard request.status?.isTerminal != true else { return }
    let shape = Self.shape(of: request, resourceTypes: resourceTypes)
    forecasts[key] = forecast(shape: shape, request: request, now: now)
  }

  /// A watched request ended: learns its run time when it succeeded, and notes a surprise when it
  /// was not forecast.
  mutating func finished(_ key: String, request: DeploymentRequest, resourceTypes: [String] = [], now: Date) {
    let previous = forecasts.removeValue(forKey: key)
    if previous?.checkAt == nil { surprised = true }
    guard request.status == .successful, let completedAt = request.completedAt else { return }
    let shape = previous?.shape ?? Self.shape(of: request, resourceTypes: resourceTypes)
    let before = learned[shape]
    var times = before ?? RunTimes()
    times.add(completedAt.timeIntervalSince(request.createdAt))
    learned[shape] = times
    // Others of the same shape now have (or get a better) forecast.
    guard before == nil || abs(before!.low - times.low) > 0.01 || abs(before!.high - times.high) > 0.01 else {
      return
    }
    for index in forecasts.indices where forecasts.values[index].shape == shape {
      let forecast = forecasts.values[index]
      forecasts.values[index] = window(of: times, shape: shape, createdAt: forecast.createdAt, now: now) ?? forecast
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

  private func forecast(shape: String, request: DeploymentRequest, now: Date) -> Forecast {
    if let times = learned[shape],
      let forecast = window(of: times, shape: shape, createdAt: request.createdAt, now: now)
    {
      return forecast
    }
    var forecast = Forecast(shape: shape, createdAt: request.createdAt)
    if let expected = Self.fromProgress(request) {
      let check = expected.addingTimeInterval(settle)
      if check > now { forecast.checkAt = check }
    }
    return forecast
  }

  /// A forecast from a shape's past run times; nil once `now` is past the window.
  private func window(of times: RunTimes, shape: String, createdAt: Date, now: Date) -> Forecast? {
    let end = createdAt.addingTimeInterval(times.high)
    guard now < end.addingTimeInterval(settle) else { return nil }
    let check = max(createdAt.addingTimeInterval(times.low + settle), now)
    return Forecast(shape: shape, createdAt: createdAt, checkAt: check, windowEnd: end)
  }

  /// When the request should be done at the pace of its finished tasks; nil without progress,
  /// or while it waits for an approval or a user.
  static func fromProgress(_ request: DeploymentRequest) -> Date? {
    let waiting: [RequestStatus] = [.approvalPending, .userInteractionPending, .checkingApproval]
    guard let status = request.status, !waiting.contains(status) else { return nil }
    let done = request.completedTasks
    let total = request.totalTasks
    guard done >= 1, total > done, let last = request.updatedAt else { return nil }
    let elapsed = last.timeIntervalSince(request.createdAt)
    guard elapsed > 0 else { return nil }
    return last.addingTimeInterval(elapsed / Double(done) * Double(total - done))
  }
}
