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
    discussion: """
      The runs are read from the state database: --state, state.url, else .vra-engine/state.db in the \
      current directory or the nearest parent directory that has a .vra-engine/ (as git finds .git). With \
      --server URL (or VRA_ENGINE_SERVER; the token in VRA_ENGINE_TOKEN), `runs`, `runs show` and `runs watch` \
      read your tenant's runs from a vra-engine server instead.

      Examples:
        vra-engine runs
        vra-engine runs show 3f9a2c1d --output json
      """,
    subcommands: [List.self, Show.self, Watch.self, Prune.self],
    defaultSubcommand: List.self)

  struct List: AsyncParsableCommand, UsageChecked {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List recent runs, newest first.",
      discussion: """
        --output json prints [{"id", "status", "plan", "planPath", "startedAt", "finishedAt", "target", "owner"}]; \
        with --server, the API's runs: [{"id", "status", "plan", "tenant", "project", "region", "queuePosition", \
        "cancelRequested", "startedAt", "finishedAt", "links"}] (docs/openapi.json).

        Example: vra-engine runs list --limit 5 --output json
        """)

    @OptionGroup var location: StateOptions
    @Option(help: "How many runs to list.") var limit: Int = 20
    @Option(help: OutputFormat.help) var output: OutputFormat = .text
    @OptionGroup var server: ServerOptions

    func checkUsage() throws(UsageError) {
      try server.checkUsage(localFlags: location.localFlagsGiven, command: "runs")
    }

    func run() async throws {
      if let remote = try server.connection() {
        try await RemoteRuns.list(remote, limit: max(limit, 1), output: output)
        return
      }
      let state = try await location.stateConnection()
      let runs = try await StateAccess.withExisting(state) { store in
        try await StateAccess.reading { try await store.runs(limit: max(limit, 1)) }
      }
      if output == .json {
        OutputJSON.print(runs.map(RunListing.init))
        return
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

  struct Show: AsyncParsableCommand, UsageChecked {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Show a run: each stage's status, deployment, outputs and error.",
      discussion: """
        --output json prints the run's report, the same shape as `apply --output json` (docs/apply.md).

        Example: vra-engine runs show 3f9a2c1d --output json
        """)

    @Argument(help: "The run id (see `vra-engine runs`).") var runId: String
    @OptionGroup var location: StateOptions
    @Option(help: OutputFormat.help) var output: OutputFormat = .text
    @OptionGroup var server: ServerOptions

    func checkUsage() throws(UsageError) {
      try server.checkUsage(localFlags: location.localFlagsGiven, command: "runs show")
    }

    func run() async throws {
      if let remote = try server.connection() {
        try await RemoteRuns.show(remote, runId: runId, output: output)
        return
      }
      let state = try await location.stateConnection()
      let (report, run) = try await StateAccess.withExisting(state) { store in
        try await StateAccess.reading {
          (try await RunReport.load(RunID(rawValue: runId), from: store), try await store.run(RunID(rawValue: runId)))
        }
      }
      guard let report else {
        Terminal.err("error: no run \(runId) in \(state)\nhint: \(StateAccess.lookupHint)")
        throw ExitCodes.usageOrValidation
      }
      if output == .json {
        OutputJSON.print(report)
        return
      }
      var notes: [String] = []
      if let target = run?.target { notes.append("ran against \(target)") }
      if let lease = run?.lease, lease.expiresAt > Date() {
        notes.append("owned by \(lease.owner) until \(VRAJSON.formatTimestamp(lease.expiresAt))")
      }
      Self.render(report, notes: notes)
    }

    /// The text of `runs show`: the run and its `notes`, then each stage with its deployment,
    /// outputs and error (the same for a run a server reports).
    static func render(_ report: RunReport, notes: [String]) {
      Terminal.out("run \(report.run.id): \(report.run.status)")
      for note in notes { Terminal.out("  \(note)") }
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

/// One run in `runs --output json`.
struct RunListing: Encodable {
  var id: String
  var status: String
  var plan: String
  var planPath: String
  var startedAt: Date
  var finishedAt: Date?
  /// The vRA the run ran against (`embedded simulator` for that one).
  var target: String?
  /// The live process working on the run, if any.
  var owner: String?

  init(_ run: RunRecord) {
    id = run.id.rawValue
    status = run.status.rawValue
    plan = run.planName
    planPath = run.planPath
    startedAt = run.startedAt
    finishedAt = run.finishedAt
    target = run.target?.description
    owner = run.lease.flatMap { $0.expiresAt > Date() ? $0.owner.description : nil }
  }

  /// Every key, null when absent: the documented shape.
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(id, forKey: .id)
    try container.encode(status, forKey: .status)
    try container.encode(plan, forKey: .plan)
    try container.encode(planPath, forKey: .planPath)
    try container.encode(startedAt, forKey: .startedAt)
    try container.encode(finishedAt, forKey: .finishedAt)
    try container.encode(target, forKey: .target)
    try container.encode(owner, forKey: .owner)
  }

  private enum CodingKeys: String, CodingKey {
    case id, status, plan, planPath, startedAt, finishedAt, target, owner
  }
}
