import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState

extension RunsCommand {
  /// `vra-engine runs watch RUN_ID`: follow a submitted run (`deploy --no-wait`) to its end.
  struct Watch: AsyncParsableCommand, UsageChecked {
    static let configuration = CommandConfiguration(
      commandName: "watch",
      abstract: "Follow a run whose requests vRA is still working on (deploy --no-wait) to its end.",
      discussion: """
        Re-attaches to every request the run has in vRA (never submitting anything again), waits for each \
        to end and records the result, as `apply --resume` does; outputs are read when they succeed. \
        Exit codes: as `apply`: 0 succeeded, 1 failed, 2 unknown run or owned by another process, 3 vRA \
        unreachable, 130 cancelled (Ctrl-C cancels the requests in vRA).

        Example: vra-engine deploy --template web.yaml --project Development --name web-1 --no-wait, \
        then later: vra-engine runs watch 3f9a2c1d
        """)

    @Argument(help: "The run id (see `vra-engine runs`).") var runId: String
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var server: ServerOptions

    func checkUsage() throws(UsageError) {
      try server.checkUsage(localFlags: connection.localFlagsGiven, command: "runs watch")
    }

    func run() async throws {
      if let remote = try server.connection() {
        connection.applyLogSettings()
        try await RemoteRuns.watch(remote, runId: runId, details: "vra-engine runs show\(server.flagForHints(remote))")
        return
      }
      let configuration = try await connection.loadConfiguration()
      let id = RunID(rawValue: runId)
      let exit: ExitCode
      do {
        exit = try await RunSession.with(configuration, forRun: id, notice: Terminal.err) {
          try await follow(id, session: $0)
        }
      } catch {
        exit = ExitCodes.reporting(error)
      }
      if exit != ExitCodes.ok { throw exit }
    }

    private func follow(_ id: RunID, session: RunSession) async throws -> ExitCode {
      guard let run = try await session.store.run(id) else { throw StateStoreError.unknownRun(id) }
      guard [.submitted, .running, .cancelling].contains(run.status) else {
        Terminal.err("run \(runId) is \(run.status); nothing to watch")
        return await ExitCodes.of(run.status, runId: id, store: session.store)
      }
      let stages = try await session.store.stages(of: id)
      let plan = try WatchedPlan.of(run, stages: stages)
      let display = EventDisplay(quiet: false)
      let orchestrator = Orchestrator(
        plan: plan, client: session.client, store: session.store, tracking: session.tracker,
        lease: session.lease, target: session.target, events: display.sink)
      let final: RunRecord
      do {
        final = try await InterruptHandler.cancellingOnInterrupt { try await orchestrator.run(id) }
      } catch {
        await display.close()
        throw error
      }
      await display.close()
      Terminal.err("run \(runId): \(final.status)  (details: vra-engine runs show \(runId))")
      return await ExitCodes.of(final.status, runId: id, store: session.store)
    }
  }
}
