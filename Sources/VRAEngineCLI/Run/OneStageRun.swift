import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState
import VRAClient

/// Runs a one-stage plan (`deploy`, `action`) through the Orchestrator exactly as `apply` runs a
/// plan: the same record, progress, Ctrl-C (cancels the request in vRA) and JSON report.
enum OneStageRun {
  struct Ended {
    var runId: RunID
    var run: RunRecord
    var stage: StageRecord?
    var exitCode: ExitCode
  }

  /// - Returns: nil when the run could not start or was interrupted before it ended (the error was
  ///   reported); its exit code in `failure`.
  static func run(
    _ plan: Plan, planDigest: String, session: RunSession, output: OutputFormat, wait: Bool
  ) async -> Result<Ended, ExitCode> {
    // Only the escape variable: user text cannot reach `${env.X}` (see LiteralText).
    let display = EventDisplay(quiet: output == .json)
    let orchestrator = Orchestrator(
      plan: plan, client: session.client, store: session.store, tracking: session.tracker,
      environment: LiteralText.environment, waitForCompletion: wait, lease: session.lease, target: session.target,
      events: display.sink)
    let runId: RunID
    let final: RunRecord
    do {
      runId = try await orchestrator.createRun(planDigest: planDigest)
      final = try await InterruptHandler.cancellingOnInterrupt { try await orchestrator.run(runId) }
    } catch {
      await display.close()
      return .failure(ExitCodes.reporting(error))
    }
    await display.close()
    let stage = try? await session.store.stage(run: runId, name: plan.stages[0].name)
    if output == .json {
      OutputJSON.print(try? await RunReport.load(runId, from: session.store, order: plan.stageNames))
    }
    return .success(
      Ended(
        runId: runId, run: final, stage: stage,
        exitCode: await ExitCodes.of(final.status, runId: runId, store: session.store)))
  }
}
