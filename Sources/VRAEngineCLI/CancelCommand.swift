import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState

/// `vra-engine cancel RUN_ID`: cancel a run from another terminal or pipeline step.
struct CancelCommand: AsyncParsableCommand, UsageChecked {
  static let configuration = CommandConfiguration(
    commandName: "cancel",
    abstract: "Cancel a run: its in-flight requests are cancelled in vRA and the run is recorded cancelled.",
    discussion: """
      A run that a live process is working on (an `apply` in another terminal, on the embedded simulator \
      too) is asked to cancel through the state database: that process cancels its requests in vRA within \
      a second and exits 130, and this command waits for it and reports what vRA answered. A run nobody \
      works on (a crashed apply, a deploy --no-wait) is cancelled from here, against the vRA it ran on.

      Each stage is reported as vRA answered: cancelled, already finished (and recorded as it ended), or \
      refused.

      With --server URL (or VRA_ENGINE_SERVER; the token in VRA_ENGINE_TOKEN) the server is asked to cancel \
      a run it runs, and this command reports the same way once the server is done.

      Exit codes: 0 cancelled (or nothing left to cancel), 1 vRA refused a cancel, 2 unknown run or \
      owned by a stalled process (see --takeover), 3 vRA unreachable.

      Examples:
        vra-engine cancel 3f9a2c1d
        vra-engine cancel 3f9a2c1d --takeover
      """)

  @Argument(help: "The run id (see `vra-engine runs`).") var runId: String
  @Flag(help: "Take over a run whose owner's lease expired (a stalled or unreachable process), then cancel it.")
  var takeover = false
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var server: ServerOptions

  func checkUsage() throws(UsageError) {
    try server.checkUsage(
      localFlags: connection.localFlagsGiven,
      refused: takeover ? [("--takeover", "the server owns its runs; no other process takes them over")] : [],
      command: "cancel")
  }

  func run() async throws {
    if let remote = try server.connection() {
      connection.applyLogSettings()
      try await RemoteCancel.cancel(remote, runId: runId)
      return
    }
    let configuration = try await connection.loadConfiguration()
    // Traces when the OTEL_* variables (or the profile) ask for them, flushed however the command ends.
    try await TracingExporter.around(configuration, notice: Terminal.err) { try await execute(configuration) }
  }

  private func execute(_ configuration: RunConfiguration) async throws {
    let outcome: RunCanceller.Outcome
    do {
      outcome = try await CancelRun.cancel(
        RunID(rawValue: runId), configuration: configuration, takeover: takeover, notice: Terminal.err)
    } catch {
      throw ExitCodes.reporting(error)
    }
    try report(outcome)
  }

  private func report(_ outcome: RunCanceller.Outcome) throws {
    switch outcome {
    case .alreadyFinished(let status):
      Terminal.err("run \(runId) already ended \(status); nothing to cancel")
    case .cancelled(let report):
      if let owner = report.carriedOutBy { Terminal.err("run \(runId): its owner (\(owner)) carried out the cancel") }
      for stage in report.stages { Terminal.err("  \(stage.name): \(stage.outcome)") }
      if report.stages.isEmpty { Terminal.err("  no request was in flight in vRA") }
      Terminal.err("run \(runId): \(report.status)")
      if report.hasRefusal {
        Terminal.err("some requests could not be cancelled: they may still run in vRA")
        throw ExitCodes.deploymentFailed
      }
    }
  }
}
