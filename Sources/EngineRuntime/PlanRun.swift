import Engine
import Foundation
import RunState

/// The steps around `Orchestrator.run` that `apply` takes, and `serve` will take the same way:
/// check the plan against vRA before anything is sent, then create the run or pick up the one to
/// resume.
public enum PlanRun {
  /// What stands in the way of running `plan` on `session`'s vRA (empty: nothing); nothing is
  /// sent but logins and reads.
  /// - Throws: `RuntimeError` (exit 3) when vRA cannot be reached or refuses the credentials.
  public static func preflight(_ plan: Plan, session: RunSession) async throws(RuntimeError) -> [PlanDiagnostic] {
    do {
      return try await Preflight(client: session.client).check(plan)
    } catch {
      throw RuntimeError(
        "error: \(error)\nnothing was submitted: vRA at \(session.target) could not be checked",
        status: .authOrConnectivity)
    }
  }

  /// What `start` found.
  public enum Start: Sendable {
    /// Run this one: new, or the one to resume. `warning` says the plan file changed since it started.
    case run(RunID, warning: String?)
    /// The run to resume already succeeded: nothing to do.
    case alreadySucceeded(RunID)
  }

  /// A new run of the plan in `planFile`, or `resume` checked: it exists in this store and has not
  /// succeeded yet.
  public static func start(
    _ orchestrator: Orchestrator, planFile: String, resume: RunID?, prune: Bool = false, session: RunSession
  ) async throws -> Start {
    let digest = PlanDigest.of(file: planFile)
    guard let resume else {
      return .run(try await orchestrator.createRun(planDigest: digest, prune: prune), warning: nil)
    }
    guard let record = try await session.store.run(resume) else {
      throw RuntimeError.error(
        "no run \(resume) in \(try await session.configuration.stateConnection())", status: .usageOrValidation)
    }
    if record.status == .succeeded { return .alreadySucceeded(resume) }
    let changed = record.planDigest != digest
    return .run(
      resume,
      warning: changed
        ? "warning: \(planFile) changed since run \(resume) started; finished stages are kept as they are" : nil)
  }
}
