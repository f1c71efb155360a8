import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState

/// `vra-engine destroy RUN_ID`: delete what a run created, in reverse dependency order.
struct DestroyCommand: AsyncParsableCommand, UsageChecked {
  static let configuration = CommandConfiguration(
    commandName: "destroy",
    abstract: "Delete the deployments a run created, dependents first, each tracked to its end.",
    discussion: """
      Lists what it will delete and asks for confirmation on a terminal; --auto-approve (-y) skips the \
      question and is required without a terminal; --dry-run only lists. Requests still in flight are \
      cancelled first, and a stage whose submit was cut short is looked up by its deployment name.

      It acts on the vRA the run ran against (the embedded simulator's state too); another endpoint given \
      explicitly is refused. The order comes from the run's plan file when it is still readable, else \
      from the recorded stage order. The run ends destroyed, or destroy-failed when a deletion fails: \
      running destroy again retries it.

      With --server URL (or VRA_ENGINE_SERVER; the token in VRA_ENGINE_TOKEN) the server deletes what a run \
      it ran created; the listing, the question and the progress are the same.

      Exit codes: 0 destroyed (or nothing to delete), 1 a deletion failed, 2 unknown run, owned by a live \
      process, or not confirmed, 3 vRA unreachable.

      Examples:
        vra-engine destroy 3f9a2c1d --dry-run
        vra-engine destroy 3f9a2c1d -y
      """)

  @Argument(help: "The run id (see `vra-engine runs`).") var runId: String
  @Flag(name: [.customLong("auto-approve"), .customShort("y")], help: "Delete without asking.")
  var autoApprove = false
  @Flag(help: "List what would be deleted, then exit.") var dryRun = false
  @Flag(help: "Take over a run whose owner's lease expired (a stalled or unreachable process).")
  var takeover = false
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var server: ServerOptions

  func checkUsage() throws(UsageError) {
    try server.checkUsage(
      localFlags: connection.localFlagsGiven,
      refused: takeover ? [("--takeover", "the server owns its runs; no other process takes them over")] : [],
      command: "destroy")
  }

  func run() async throws {
    if let remote = try server.connection() {
      connection.applyLogSettings()
      try await RemoteDestroy(connection: remote, runId: runId, autoApprove: autoApprove, dryRun: dryRun).run()
      return
    }
    let configuration = try await connection.loadConfiguration()
    // Traces when the OTEL_* variables (or the profile) ask for them, flushed however the command ends.
    try await TracingExporter.around(configuration, notice: Terminal.err) { try await execute(configuration) }
  }

  private func execute(_ configuration: RunConfiguration) async throws {
    let id = RunID(rawValue: runId)
    do {
      try await RunSession.with(configuration, forRun: id, notice: Terminal.err) { try await destroy(id, session: $0) }
    } catch {
      throw ExitCodes.reporting(error)
    }
  }

  private func destroy(_ id: RunID, session: RunSession) async throws {
    guard let run = try await session.store.run(id) else { throw StateStoreError.unknownRun(id) }
    let order = RunDestroyer.stageOrder(of: run, recorded: try await session.store.stages(of: id).map(\.name))
    let destroyer = RunDestroyer(
      client: session.client, store: session.store, tracking: session.tracker, lease: session.lease)
    if run.status == .destroyed {
      Terminal.err("run \(runId) is already destroyed; nothing to delete")
      return
    }
    let items = try await destroyer.items(id, order: order)
    let proceed = try DestroyConfirmation.confirm(
      runId: runId, status: run.status.rawValue, place: run.target?.description ?? "its vRA", items: items,
      dryRun: dryRun, autoApprove: autoApprove)
    guard proceed else { return }
    let display = EventDisplay(quiet: false)
    let result: (status: RunStatus, failed: [String])
    do {
      result = try await RunDestroyer(
        client: session.client, store: session.store, tracking: session.tracker, lease: session.lease,
        emit: display.sink
      ).destroy(id, order: order, mode: takeover ? .takeover : .ifFree)
    } catch {
      await display.close()
      throw error
    }
    await display.close()
    guard result.failed.isEmpty else {
      Terminal.err(
        "run \(runId): \(result.status); could not delete: \(result.failed.joined(separator: ", ")); "
          + "run destroy again to retry")
      throw ExitCodes.deploymentFailed
    }
    Terminal.err("run \(runId): \(result.status)")
  }
}
