import Engine
import EngineRuntime
import Foundation
import RunState

/// `apply --destroy-after`: once the run ended, everything it created is deleted as
/// `vra-engine destroy RUN -y` deletes it (`RunDestroyer`: in-flight requests cancelled, dependents
/// first, each deletion tracked), in this process, on the run's session.
///
/// A signal during the teardown does not stop it (a CI system's cancel would otherwise leave the
/// sandbox behind): the first one says what is going on, a second exits at once with 130 and names
/// the command that finishes the job.
enum RunTeardown {
  struct Result: Sendable {
    var status: RunStatus?
    /// Stages whose deletion failed, or every stage when the teardown could not run at all.
    var failed: [String]
    /// Why the teardown could not run, when it could not.
    var error: String?
    var duration: Duration

    var succeeded: Bool { failed.isEmpty && error == nil }
  }

  static func run(
    _ runId: RunID, order: [String], session: RunSession, quiet: Bool
  ) async -> Result {
    Terminal.err("run \(runId): tearing down what it created (--destroy-after)")
    let handler = InterruptHandler(
      firstMessage:
        "still tearing down run \(runId); Ctrl-C again to exit now and leave what is not deleted yet",
      secondMessage: "exiting; delete what is left with: vra-engine destroy \(runId) -y"
    ) {}
    defer { handler.remove() }
    let display = EventDisplay(quiet: quiet)
    let started = ContinuousClock.now
    let result: Result
    do {
      let outcome = try await RunDestroyer(
        client: session.client, store: session.store, tracking: session.tracker, lease: session.lease,
        emit: display.sink
      ).destroy(runId, order: order)
      result = Result(status: outcome.status, failed: outcome.failed, error: nil, duration: .now - started)
    } catch {
      result = Result(
        status: nil, failed: [], error: (error as? RuntimeError)?.message ?? "\(error)",
        duration: ContinuousClock.now - started)
    }
    await display.close()
    if result.succeeded {
      Terminal.err("run \(runId): torn down (\(result.status?.rawValue ?? "destroyed"))")
    } else {
      Terminal.err(
        "error: run \(runId): the teardown failed"
          + (result.failed.isEmpty ? "" : "; could not delete: \(result.failed.joined(separator: ", "))")
          + (result.error.map { ": \($0)" } ?? "") + "\nretry with: vra-engine destroy \(runId) -y")
    }
    return result
  }

  /// The teardown as a test case of the CI reports: failed when something may be left behind.
  static func testCase(_ result: Result, runId: RunID) -> CIReport.TestCase {
    let outcome: CIReport.TestCase.Outcome =
      result.succeeded
      ? .passed
      : .failed(
        type: "destroy",
        message: result.error
          ?? "could not delete: \(result.failed.joined(separator: ", ")); retry with vra-engine destroy \(runId) -y",
        details: nil)
    return CIReport.TestCase(
      kind: "teardown", name: "teardown (--destroy-after)",
      status: result.status?.rawValue ?? "destroy-failed", outcome: outcome, duration: result.duration,
      output: ["run \(runId): \(result.status?.rawValue ?? "not destroyed")"])
  }
}
