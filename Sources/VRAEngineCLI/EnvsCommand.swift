import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState
import VRAModels

/// `vra-engine envs` and `vra-engine envs show NAME`: the environments the state database knows, offline.
struct EnvsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "envs",
    abstract: "List environments (apply --env), or show what was last applied to one.",
    discussion: """
      Read from the state database (--state, state.url, else .vra-engine/state.db as `runs` finds it).

      Examples:
        vra-engine envs
        vra-engine envs show staging --output json
      """,
    subcommands: [List.self, Show.self],
    defaultSubcommand: List.self)

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List environments by name.",
      discussion: """
        --output json prints [{"name", "plan", "activeRun", "activeRunStatus", "stages", "updatedAt"}].
        """)

    @OptionGroup var location: StateOptions
    @Option(help: OutputFormat.help) var output: OutputFormat = .text

    func run() async throws {
      let state = try await location.stateConnection()
      let listings = try await StateAccess.withExisting(state) { store in
        try await StateAccess.reading {
          var listings: [EnvironmentListing] = []
          for environment in try await store.environments() {
            let run = try await environment.activeRunId.asyncMap { try await store.run($0) } ?? nil
            listings.append(
              EnvironmentListing(
                name: environment.name, plan: environment.planName, activeRun: environment.activeRunId?.rawValue,
                activeRunStatus: run?.status.rawValue,
                stages: try await store.environmentStages(environment.name).count,
                updatedAt: environment.updatedAt))
          }
          return listings
        }
      }
      if output == .json {
        OutputJSON.print(listings)
        return
      }
      guard !listings.isEmpty else {
        Terminal.err("no environments in \(state)")
        return
      }
      Terminal.out("ENVIRONMENT         STAGES  LAST RUN                 UPDATED                   PLAN")
      for listing in listings {
        Terminal.out(
          listing.name.padding(toLength: 20, withPad: " ", startingAt: 0)
            + "\(listing.stages)".padding(toLength: 8, withPad: " ", startingAt: 0)
            + "\(listing.activeRun ?? "-") \(listing.activeRunStatus ?? "")".padding(
              toLength: 25, withPad: " ", startingAt: 0)
            + VRAJSON.formatTimestamp(listing.updatedAt).padding(toLength: 26, withPad: " ", startingAt: 0)
            + listing.plan)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Show what was last applied to each stage of an environment.",
      discussion: """
        Per stage: the deployment, what it was deployed from (template digest, blueprint or catalog item \
        version), the inputs (a secret only as `(secret)`), the outputs, the run and time it was applied.

        --output json prints {"name", "plan", "activeRun", "stages": [AppliedStage]} (docs/environments.md); \
        secret inputs appear as their digests.
        """)

    @Argument(help: "The environment.") var name: String
    @OptionGroup var location: StateOptions
    @Option(help: OutputFormat.help) var output: OutputFormat = .text

    func run() async throws {
      let state = try await location.stateConnection()
      let found = try await StateAccess.withExisting(state) { store in
        try await StateAccess.reading { () -> (EnvironmentRecord, [EnvironmentStageState])? in
          guard let environment = try await store.environment(name) else { return nil }
          return (environment, try await store.environmentStages(name))
        }
      }
      guard let (environment, stages) = found else {
        Terminal.err("no environment \(name) in \(state); `vra-engine envs` lists them")
        throw ExitCodes.usageOrValidation
      }
      if output == .json {
        OutputJSON.print(
          EnvironmentDetail(
            name: environment.name, plan: environment.planName, activeRun: environment.activeRunId?.rawValue,
            stages: stages.map(\.applied)))
        return
      }
      Terminal.out("environment \(environment.name) (plan \(environment.planName))")
      if let run = environment.activeRunId { Terminal.out("last run: \(run)") }
      for stage in stages.map(\.applied) {
        Terminal.out("")
        Terminal.out("\(stage.stage): \(stage.deploymentName) (\(stage.deploymentId))")
        var source = "  from \(stage.source.kind.rawValue) \(stage.source.name)"
        if let version = stage.source.version { source += " version \(version)" }
        if let digest = stage.source.templateDigest { source += " (\(digest.prefix(19)))" }
        Terminal.out(source)
        let secret = Set(stage.secretInputs)
        for (input, value) in stage.inputs.sorted(by: { $0.key < $1.key }) {
          Terminal.out("  input \(input): " + (secret.contains(input) ? "(secret)" : CanonicalText.of(value)))
        }
        for (output, value) in stage.outputs.sorted(by: { $0.key < $1.key }) {
          Terminal.out("  output \(output): \(CanonicalText.of(value))")
        }
        Terminal.out("  applied by run \(stage.runId) at \(VRAJSON.formatTimestamp(stage.appliedAt))")
      }
    }
  }
}

struct EnvironmentListing: Encodable {
  var name: String
  var plan: String
  var activeRun: String?
  var activeRunStatus: String?
  var stages: Int
  var updatedAt: Date
}

struct EnvironmentDetail: Encodable {
  var name: String
  var plan: String
  var activeRun: String?
  var stages: [AppliedStage]
}

extension Optional {
  fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
    guard let self else { return nil }
    return try await transform(self)
  }
}
