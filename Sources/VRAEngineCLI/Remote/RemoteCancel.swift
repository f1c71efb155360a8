import ArgumentParser
import Engine
import EngineRuntime
import EngineServer
import RunState

/// `vra-engine cancel RUN_ID --server URL`: asks the server to cancel the run, waits until it is
/// done (the run's events, to their end) and reports, per stage, what vRA answered, as the local
/// command does. A run that already ended has nothing to cancel (exit 0, as locally).
enum RemoteCancel {
  static func cancel(_ connection: ServerConnection, runId: String) async throws {
    let server = connection.baseURL
    try await APIClient.with(connection) { client in
      do throws(APIError) {
        _ = try await client.cancel(runId)
      } catch  where error.status == 409 {
        let status = (try? await client.report(runId))?.run.status ?? "already"
        Terminal.err("run \(runId) already ended \(status); nothing to cancel")
        return
      } catch {
        throw error.runtimeError(server: server, run: runId)
      }
      Terminal.err("run \(runId): cancel requested; the server cancels its requests in vRA")
      let events = EventLog()
      let status: String
      do throws(APIError) {
        status = try await client.followEvents(of: runId) { events.append($0) }
      } catch {
        throw error.runtimeError(server: server, run: runId)
      }
      let outcomes = outcomesOfTheLastCancel(events.all)
      for (stage, outcome) in outcomes { Terminal.err("  \(stage): \(outcome)") }
      if outcomes.isEmpty { Terminal.err("  no request was in flight in vRA") }
      Terminal.err("run \(runId): \(status)")
      if outcomes.contains(where: { if case .refused = $0.outcome { true } else { false } }) {
        Terminal.err("some requests could not be cancelled: they may still run in vRA")
        throw ExitCodes.deploymentFailed
      }
    }
  }

  /// What vRA answered per stage (`stage.cancel` events) after the run's last cancel request, in order.
  static func outcomesOfTheLastCancel(_ events: [RunEventMessage]) -> [(stage: String, outcome: StageCancelOutcome)] {
    let start =
      events.lastIndex {
        $0.kind == EventRecord.Kind.cancelRequested
          || ($0.kind == EventRecord.Kind.runStatus && $0.data?["to"]?.stringValue == RunStatus.cancelling.rawValue)
      } ?? -1
    return events[(start + 1)...].compactMap { message in
      let record = EventRecord(
        sequence: message.sequence, runId: RunID(rawValue: ""), stage: message.stage, at: message.at,
        kind: message.kind, message: message.message, data: message.data)
      guard let stage = message.stage, let outcome = StageCancelOutcome(event: record) else { return nil }
      return (stage, outcome)
    }
  }
}
