import Synchronization

/// `apply --max-duration`: a bound on the whole rollout. When it passes, the work is cancelled as
/// Ctrl-C cancels it (the stages' vRA requests are cancelled and the run ends `cancelled`), and
/// `exceeded` says that the deadline, not a person, cancelled it.
public final class RunDeadline: Sendable {
  /// Nil: no bound.
  public let limit: Duration?
  /// How the limit was written (`180s`), for messages.
  public let text: String?
  private let hit = Atomic<Bool>(false)

  public init(_ limit: Duration?, text: String? = nil) {
    self.limit = limit
    self.text = text
  }

  /// True once the limit passed while the work was still going.
  public var exceeded: Bool { hit.load(ordering: .acquiring) }

  /// "the run exceeded --max-duration 180s".
  public var message: String { "the run exceeded --max-duration \(text ?? limit.map { "\($0)" } ?? "")" }

  private enum Step<Value: Sendable>: Sendable {
    case finished(Value)
    /// The timer's child ended: `fired` when the limit passed, else it was cancelled (the work ended first).
    case timer(fired: Bool)
  }

  /// Runs `work`; when `limit` passes first, cancels it and waits for it to end (it returns how the
  /// cancelled run ended). Cancelling the caller cancels both, without marking the deadline exceeded.
  public func enforce<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
    guard let limit else { return try await work() }
    return try await withThrowingTaskGroup(of: Step<Value>.self) { group in
      group.addTask { .finished(try await work()) }
      group.addTask {
        let slept: Void? = try? await Task.sleep(for: limit)
        return .timer(fired: slept != nil && !Task.isCancelled)
      }
      while let step = try await group.next() {
        switch step {
        case .finished(let value):
          group.cancelAll()
          return value
        case .timer(let fired):
          if fired {
            hit.store(true, ordering: .releasing)
            group.cancelAll()
          }
        }
      }
      throw CancellationError()
    }
  }
}
