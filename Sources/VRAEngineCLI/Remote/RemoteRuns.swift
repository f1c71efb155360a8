import ArgumentParser
import Engine
import EngineRuntime
import EngineServer
import Foundation
import RunState
import VRAModels

/// `vra-engine runs` and `runs show RUN_ID` through a server: the tenant's runs as the API lists
/// them, and one run's report rendered as the local commands render the state database's.
enum RemoteRuns {
  /// The API's largest page.
  static let pageLimit = 200

  /// `runs [--limit N] [--output json]`: newest first. JSON is the API's `RunResource`s (their
  /// `id`, `status`, `plan`, `startedAt`, `finishedAt` are the local listing's keys).
  static func list(_ connection: ServerConnection, limit: Int, output: OutputFormat) async throws {
    let runs = try await APIClient.with(connection) { client in
      var runs: [RunResource] = []
      var cursor: String?
      do throws(APIError) {
        repeat {
          let page = try await client.runs(cursor: cursor, limit: min(limit - runs.count, pageLimit))
          runs += page.runs
          cursor = page.next
        } while cursor != nil && runs.count < limit && !Task.isCancelled
      } catch {
        throw error.runtimeError(server: connection.baseURL)
      }
      return Array(runs.prefix(limit))
    }
    if output == .json {
      OutputJSON.print(runs)
      return
    }
    guard !runs.isEmpty else {
      Terminal.err("no runs on \(connection.baseURL)")
      return
    }
    Terminal.out("RUN       STATUS          STARTED                   PLAN")
    for run in runs {
      var line =
        "\(run.id.padding(toLength: 10, withPad: " ", startingAt: 0))"
        + "\(run.status.padding(toLength: 16, withPad: " ", startingAt: 0))"
        + "\(VRAJSON.formatTimestamp(run.startedAt).padding(toLength: 26, withPad: " ", startingAt: 0))"
        + run.plan
      let placement = [run.project.map { "project \($0)" }, run.region.map { "region \($0)" }].compactMap { $0 }
      if !placement.isEmpty { line += " [\(placement.joined(separator: ", "))]" }
      if let position = run.queuePosition { line += " [queued, position \(position)]" }
      if run.cancelRequested, run.finishedAt == nil { line += " [cancel requested]" }
      Terminal.out(line)
    }
  }

  /// `runs show RUN_ID [--output json]`: the report exactly as the server gives it (the same as
  /// `apply --output json`), or the local text rendering of it.
  static func show(_ connection: ServerConnection, runId: String, output: OutputFormat) async throws {
    let report = try await APIClient.with(connection) { client in
      do throws(APIError) {
        return try await client.report(runId)
      } catch {
        throw error.runtimeError(server: connection.baseURL, run: runId)
      }
    }
    if output == .json {
      OutputJSON.print(report)
      return
    }
    RunsCommand.Show.render(report, notes: ["ran on the server \(connection.baseURL)"])
  }

  /// `runs watch RUN_ID`: follows a run the server is working on to its end, as `apply` shows it
  /// (Ctrl-C asks the server to cancel it); the exit code of how it ended.
  static func watch(_ connection: ServerConnection, runId: String, details: String) async throws {
    let server = connection.baseURL
    let exit = try await APIClient.with(connection) { client -> ExitCode in
      do throws(APIError) {
        let report = try await client.report(runId)
        guard let status = RunStatus(rawValue: report.run.status), !status.isTerminal else {
          Terminal.err("run \(runId) is \(report.run.status); nothing to watch")
          return ExitCodes.code(ExitStatus.of(report))
        }
        _ = try await RemoteRunFollower(client: client, runId: runId).follow(quiet: false, cancelOnInterrupt: true)
        let final = try await client.report(runId)
        Terminal.err("run \(runId): \(final.run.status)  (details: \(details) \(runId))")
        return ExitCodes.code(ExitStatus.of(final))
      } catch {
        throw error.runtimeError(server: server, run: runId)
      }
    }
    if exit != ExitCodes.ok { throw exit }
  }
}
