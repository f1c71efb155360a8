import Dispatch
import Foundation
import Synchronization
import Testing
import VRASimulator

/// Collects the spec problems of every answer one simulator sends, whoever asked (the harness's
/// `APICaller`, a `VRAClient`, the engine), so drift shows up in every suite, not only where a test
/// happens to look.
public final class FidelityRecorder: Sendable {
  private struct State {
    var problems: [String: Int] = [:]
    var order: [String] = []
    var checked = 0
    var verdicts: [Answer: [String]] = [:]
  }

  private struct Answer: Hashable {
    var method: String
    var path: String
    var status: Int
    var body: Data
  }

  private let state = Mutex(State())
  // Checks run on their own queue, off Swift's cooperative pool: a check costs milliseconds, and the
  // timing-sensitive suites running alongside must not wait behind it for a thread.
  private let queue = DispatchQueue(label: "vra-engine.fidelity-recorder", qos: .utility)

  public init() {}

  /// The observer to install on the simulator: it only queues the answer, so serving is not slowed.
  public var observer: ResponseObserver {
    { response in self.queue.async { self.check(response) } }
  }

  /// Checks one answer now.
  public func check(_ response: ObservedResponse) {
    // A poll often gets the very same bytes again; their verdict cannot differ, so it is reused.
    let key = Answer(method: response.method, path: response.path, status: response.status, body: response.body)
    let found =
      state.withLock { $0.verdicts[key] }
      ?? Fidelity.problems(method: response.method, path: response.path, status: response.status, body: response.body)
    state.withLock { state in
      state.checked += 1
      state.verdicts[key] = found
      for problem in found {
        if state.problems[problem] == nil { state.order.append(problem) }
        state.problems[problem, default: 0] += 1
      }
    }
  }

  /// Waits until every queued answer has been checked.
  private func drained() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      queue.async { continuation.resume() }
    }
  }

  /// How many answers have been checked, queued ones included.
  public var checked: Int {
    get async {
      await drained()
      return state.withLock { $0.checked }
    }
  }

  /// Each distinct problem with how often it was seen, in the order first seen.
  public var report: [String] {
    get async {
      await drained()
      return state.withLock { state in
        state.order.map { problem in
          let count = state.problems[problem] ?? 1
          return count == 1 ? problem : "\(problem) (\(count) answers)"
        }
      }
    }
  }

  /// Records one issue per distinct problem at `sourceLocation`.
  public func recordIssues(sourceLocation: SourceLocation) async {
    for problem in await report {
      Issue.record("simulator answer does not follow the vRA spec: \(problem)", sourceLocation: sourceLocation)
    }
  }
}
