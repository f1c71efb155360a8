import Dispatch
import EngineRuntime
import Foundation
import Synchronization

/// Ctrl-C and SIGTERM during a run: the first asks the run to cancel (in-flight vRA requests are
/// cancelled through the API and the cancel is recorded); a second exits at once with 130. Every
/// state write is its own SQLite transaction, so exiting between two of them loses nothing.
final class InterruptHandler {
  private final class Counter: Sendable {
    let value = Atomic<Int>(0)
  }

  private var sources: [any DispatchSourceSignal]
  private let counter = Counter()

  /// - Parameter firstMessage: what the first Ctrl-C prints.
  /// - Parameter secondMessage: what a second Ctrl-C prints before exiting 130.
  init(
    firstMessage: String = "cancelling the run (Ctrl-C again to exit now)...",
    secondMessage: String = "exiting without waiting; resume with --resume", onFirst: @escaping @Sendable () -> Void
  ) {
    let queue = DispatchQueue(label: "vra-engine.interrupts")
    let counter = self.counter
    sources = [SIGINT, SIGTERM].map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler {
        // Signals that arrive close together are coalesced into one event; `data` counts them.
        let count = counter.value.add(max(Int(source.data), 1), ordering: .relaxed).newValue
        if count == 1 {
          Terminal.err(firstMessage)
          onFirst()
        } else {
          Terminal.err(secondMessage)
          exit(130)
        }
      }
      source.resume()
      return source
    }
  }

  /// Runs `work` so that the first Ctrl-C (or SIGTERM) cancels it; the handlers are removed when
  /// it ends. The caller's own cancellation reaches `work` too.
  static func cancellingOnInterrupt<Result: Sendable>(
    _ work: @escaping @Sendable () async throws -> Result
  ) async throws -> Result {
    let task = Task { try await work() }
    let handler = InterruptHandler { task.cancel() }
    defer { handler.remove() }
    return try await withTaskCancellationHandler {
      try await task.value
    } onCancel: {
      task.cancel()
    }
  }

  var wasInterrupted: Bool { counter.value.load(ordering: .relaxed) > 0 }

  func remove() {
    sources.forEach { $0.cancel() }
    sources = []
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }
}
