import Foundation
import Testing
import VRASimulator

/// Collects the spec problems of every answer one simulator sends, whoever asked (the harness's
/// `APICaller`, a `VRAClient`, the engine), so drift shows up in every suite, not only where a test
/// happens to look.
public actor FidelityRecorder {
  private var problems: [String: Int] = [:]
  private var order: [String] = []
  public private(set) var checked = 0

  public init() {}

  /// The observer to install on the simulator.
  public nonisolated var observer: ResponseObserver {
    { response in await self.check(response) }
  }

  public func check(_ response: ObservedResponse) {
    checked += 1
    let found = Fidelity.problems(
      method: response.method, path: response.path, status: response.status, body: response.body)
    for problem in found {
      if problems[problem] == nil { order.append(problem) }
      problems[problem, default: 0] += 1
    }
  }

  /// Each distinct problem with how often it was seen, in the order first seen.
  public var report: [String] {
    order.map { problem in
      let count = problems[problem] ?? 1
      return count == 1 ? problem : "\(problem) (\(count) answers)"
    }
  }

  /// Records one issue per distinct problem at `sourceLocation`.
  public func recordIssues(sourceLocation: SourceLocation) {
    for problem in report {
      Issue.record("simulator answer does not follow the vRA spec: \(problem)", sourceLocation: sourceLocation)
    }
  }
}
