import Foundation
import Synchronization

/// Concurrency limits that may change while a run is going (a config file edit, see
/// `ConfigurationReloader`): nil fields leave the plan's own `parallelism` / `perProjectLimit`.
/// The scheduler reads them before each decision and is woken by every change, so a raised
/// limit starts waiting stages at once rather than when a running one ends.
public final class ConcurrencyLimits: Sendable {
  public struct Values: Sendable, Hashable {
    public var parallelism: Int?
    public var perProjectLimit: Int?

    public init(parallelism: Int? = nil, perProjectLimit: Int? = nil) {
      self.parallelism = parallelism
      self.perProjectLimit = perProjectLimit
    }
  }

  private struct State {
    var values: Values
    /// Counts changes, so a watcher that starts late still hears of one it missed.
    var version: UInt64 = 0
    var watchers: [UInt64: AsyncStream<Void>.Continuation] = [:]
    var nextId: UInt64 = 0
  }

  private let state: Mutex<State>

  public init(_ values: Values = Values()) {
    state = Mutex(State(values: values))
  }

  public var current: Values { state.withLock { $0.values } }

  /// Sets new limits and wakes every watcher when they differ from the current ones.
  public func update(_ values: Values) {
    let watchers = state.withLock { state -> [AsyncStream<Void>.Continuation] in
      guard state.values != values else { return [] }
      state.values = values
      state.version += 1
      return Array(state.watchers.values)
    }
    for watcher in watchers { watcher.yield() }
  }

  /// A stream that yields once per change after `version` (at once if one happened already); it
  /// ends when its consumer is cancelled.
  func changes(since version: UInt64) -> AsyncStream<Void> {
    let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    let id = state.withLock { state in
      let id = state.nextId
      state.nextId += 1
      state.watchers[id] = continuation
      if state.version != version { continuation.yield() }
      return id
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
    }
    return stream
  }

  /// `policy` with the current limits applied, and the version they are.
  func applied(to policy: SchedulingPolicy) -> (policy: SchedulingPolicy, version: UInt64) {
    let (values, version) = state.withLock { ($0.values, $0.version) }
    var effective = policy
    if let parallelism = values.parallelism { effective.parallelism = max(1, parallelism) }
    if let perProject = values.perProjectLimit { effective.perProjectLimit = max(1, perProject) }
    return (effective, version)
  }
}
