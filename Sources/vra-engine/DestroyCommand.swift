import ArgumentParser
import Engine
import Foundation

/// `vra-engine destroy RUN_ID`: delete what a run created, in reverse dependency order.
struct DestroyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "destroy",
    abstract: "Delete the deployments a run created, dependents first, each tracked to its end.",
    discussion: """
      The order comes from the run's plan file when it is still readable, else from the recorded stage \
      order. A deletion that fails is reported and kept, so running destroy again retries it.
      Exit codes: 0 all deleted, 1 a deletion failed, 2 unknown run, 3 vRA unreachable.
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
    let id = RunID(rawValue: runId)
    let failed: [String]
    do {
      guard let run = try await session.store.run(id) else {
        Terminal.err("error: no run \(runId) in \(session.configuration.statePath)")
        await session.close()
        throw ExitCodes.usageOrValidation
      }
      let recorded = try await session.store.stages(of: id).map(\.name)
      let order: [String]
      if let plan = try? PlanLoader.load(contentsOf: URL(fileURLWithPath: run.planPath)),
        let graph = try? StageGraph(plan: plan)
      {
        order = graph.topologicalOrder
      } else {
        order = recorded
      }
      let display = EventDisplay(quiet: false)
      failed = await Rollback(
        runId: id, order: order, purpose: .destroy, client: session.client, store: session.store,
        tracking: session.tracker, emit: display.sink
      ).run()
      await display.close()
    } catch let exit as ExitCode {
      throw exit
    } catch {
      Terminal.err("error: \(error)")
      await session.close()
      throw ExitCodes.authOrConnectivity
    }
    await session.close()
    guard failed.isEmpty else {
      Terminal.err("could not delete: \(failed.joined(separator: ", ")); run destroy again to retry")
      throw ExitCodes.deploymentFailed
    }
    Terminal.err("run \(runId): deployments deleted")
  }
}
