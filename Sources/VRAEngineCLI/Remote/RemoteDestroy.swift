import ArgumentParser
import Engine
import EngineRuntime
import EngineServer
import Foundation
import RunState

/// `vra-engine destroy RUN_ID --server URL`: lists what the run left in vRA (from its report),
/// asks as the local command does (`-y` required without a terminal; `--dry-run` only lists), has
/// the server delete it, and follows the deletion to its end with the same progress and ending.
struct RemoteDestroy {
  let connection: ServerConnection
  let runId: String
  let autoApprove: Bool
  let dryRun: Bool

  typealias Item = RunDestroyer.Item

  func run() async throws {
    let server = connection.baseURL
    try await APIClient.with(connection) { client in
      let report: RunReport
      do throws(APIError) {
        report = try await client.report(runId)
      } catch {
        throw error.runtimeError(server: server, run: runId)
      }
      let status = report.run.status
      if status == RunStatus.destroyed.rawValue {
        Terminal.err("run \(runId) is already destroyed; nothing to delete")
        return
      }
      let items = Self.items(report)
      let proceed = try DestroyConfirmation.confirm(
        runId: runId, status: status, place: "the server \(server)", items: items, dryRun: dryRun,
        autoApprove: autoApprove)
      guard proceed else { return }
      let final: RunReport
      do throws(APIError) {
        // The events so far, so that only the destroy's own are shown: a finished run's stream ends at once.
        let finished = RunStatus(rawValue: status).map { $0.isTerminal || $0 == .submitted } ?? false
        let after = finished ? try await Self.lastSequence(of: runId, client: client) : nil
        _ = try await client.destroy(runId)
        _ = try await RemoteRunFollower(client: client, runId: runId).follow(
          after: after, quiet: false, cancelOnInterrupt: false)
        final = try await client.report(runId)
      } catch  where error.status == 409 {
        throw RuntimeError.error(
          "run \(runId) cannot be destroyed now\(error.detail.map { ": \($0)" } ?? "")",
          hint: "cancel it first (vra-engine cancel \(runId)) or wait for it to end", status: .usageOrValidation)
      } catch {
        throw error.runtimeError(server: server, run: runId)
      }
      guard final.run.status != RunStatus.destroyFailed.rawValue else {
        let failed = final.stages.filter { stage in
          items.contains { $0.stage == stage.name } && stage.status != StageStatus.destroyed.rawValue
        }.map(\.name)
        Terminal.err(
          "run \(runId): \(final.run.status); could not delete: \(failed.joined(separator: ", ")); "
            + "run destroy again to retry")
        throw ExitCodes.deploymentFailed
      }
      Terminal.err("run \(runId): \(final.run.status)")
      let exit = ExitCodes.code(ExitStatus.of(final))
      if exit != ExitCodes.ok { throw exit }
    }
  }

  /// What the run may have left in vRA, as `RunDestroyer.items` finds it in the state database:
  /// each stage not destroyed or rolled back with a deployment id, or a deployment name announced
  /// by an intent (never for a pending or skipped stage).
  static func items(_ report: RunReport) -> [Item] {
    report.stages.compactMap { stage in
      let status = StageStatus(rawValue: stage.status)
      guard status != .destroyed, status != .rolledBack else { return nil }
      let announced = stage.deploymentName != nil && status != .pending && status != .skipped
      guard stage.deploymentId != nil || announced else { return nil }
      return Item(
        stage: stage.name, deploymentName: stage.deploymentName, deploymentId: stage.deploymentId,
        inFlight: status?.isInFlight ?? false)
    }
  }

  /// The sequence of the last event of a finished run (its stream ends once all are sent).
  static func lastSequence(of runId: String, client: APIClient) async throws(APIError) -> Int64? {
    let events = EventLog()
    _ = try await client.followEvents(of: runId) { events.append($0) }
    return events.all.map(\.sequence).max()
  }
}
