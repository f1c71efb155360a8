import ArgumentParser
import CloudTemplate
import Engine
import EngineRuntime
import Foundation
import RunState
import VRAModels

/// `vra-engine runs` and `vra-engine runs show RUN_ID`: what the state database knows, offline.
struct RunsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runs",
    abstract: "List recent runs, show one, follow a submitted one, or prune old ones.",
    subcommands: [List.self, Show.self, Watch.self, Prune.self],
    defaultSubcommand: List.self)

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List recent runs, newest first.")

    @OptionGroup var location: StateOptions
    @Option(help: "How many runs to list.") var limit: Int = 20

    func run() async throws {
      let state = try await location.statePath()
      let runs = try await StateAccess.withExisting(state) { store in
        try await StateAccess.reading { try await store.runs(limit: max(limit, 1)) }
      }
      guard !runs.isEmpty else {
        Terminal.err("no runs in \(state)")
        return
      }
      Terminal.out("RUN       STATUS          STARTED                   PLAN")
      for run in runs {
        var line =
          "\(run.id.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))"
          + "\(run.status.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0))"
          + "\(VRAJSON.formatTimestamp(run.startedAt).padding(toLength: 26, withPad: " ", startingAt: 0))"
          + "\(run.planName) (\(run.planPath))"
        if let target = run.target { line += " on \(target)" }
        if let lease = run.lease, lease.expiresAt > Date() { line += " [owned by \(lease.owner)]" }
        Terminal.out(line)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Show a run: each stage's status, deployment, outputs and error.")

    @Argument(help: "The run id (see `vra-engine runs`).") var runId: String
    @OptionGroup var location: StateOptions
    @Option(help: ArgumentHelp("Report format: text or json.", valueName: "text|json")) var output: String = "text"

    func run() async throws {
      let state = try await location.statePath()
      let (report, run) = try await StateAccess.withExisting(state) { store in
        try await StateAccess.reading {
          (try await RunReport.load(RunID(rawValue: runId), from: store), try await store.run(RunID(rawValue: runId)))
        }
      }
      guard let report else {
        Terminal.err("error: no run \(runId) in \(state)")
        throw ExitCodes.usageOrValidation
      }
      if output == "json" {
        Terminal.out(try report.json())
        return
      }
      Terminal.out("run \(report.run.id): \(report.run.status)")
      if let target = run?.target { Terminal.out("  ran against \(target)") }
      if let lease = run?.lease, lease.expiresAt > Date() {
        Terminal.out("  owned by \(lease.owner) until \(VRAJSON.formatTimestamp(lease.expiresAt))")
      }
      for stage in report.stages {
        var line = "  \(stage.name): \(stage.status)"
        if let name = stage.deploymentName { line += "  deployment \(name)" }
        if let id = stage.deploymentId { line += " (\(id))" }
        Terminal.out(line)
        for (key, value) in (stage.outputs?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
          Terminal.out("    output \(key) = \(value.stringValue ?? JSONText.render(value))")
        }
        if let error = stage.error { Terminal.out("    error: \(error)") }
      }
    }
  }
}
