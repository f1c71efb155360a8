import ArgumentParser
import Engine
import Foundation

/// `vra-engine cancel RUN_ID`: cancel a run from another terminal or pipeline step.
struct CancelCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cancel",
    abstract: "Cancel a run: its in-flight requests are cancelled in vRA and the run is recorded cancelled.",
    discussion: """
      Works whether or not the `apply` process of the run is still alive: a live one sees its requests end \
      ABORTED and stops (exit 130). Exit codes: 0 cancelled or already finished, 2 unknown run, 3 vRA unreachable.
      """)

  @Argument(help: "The run id (see `vra-engine runs`).") var runId: String
  @OptionGroup var connection: ConnectionOptions

  func run() async throws {
    let configuration = try await connection.loadConfiguration()
    // Traces when the OTEL_* variables (or the profile) ask for them, flushed however the command ends.
    try await TracingExporter.around(configuration) { try await execute(configuration) }
  }

  private func execute(_ configuration: RunConfiguration) async throws {
    let session = try await RunSession.open(configuration)
    do {
      let outcome = try await RunCanceller(client: session.client, store: session.store, tracking: session.tracker)
        .cancel(RunID(rawValue: runId))
      switch outcome {
      case .cancelled(let stages):
        Terminal.err(
          "run \(runId) cancelled"
            + (stages.isEmpty ? "" : "; requests cancelled in vRA: \(stages.joined(separator: ", "))"))
      case .alreadyFinished(let status):
        Terminal.err("run \(runId) already ended \(status); nothing to cancel")
      }
      await session.close()
    } catch let failure as StageFailure {
      Terminal.err("error: \(failure)")
      await session.close()
      throw ExitCodes.usageOrValidation
    } catch {
      Terminal.err("error: \(error)")
      await session.close()
      throw ExitCodes.authOrConnectivity
    }
  }
}
