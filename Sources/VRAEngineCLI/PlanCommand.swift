import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState
import Secrets
import VRAModels

/// `vra-engine plan PLAN --env NAME`: what `apply --env` would change, and why, before it does.
struct PlanCommand: AsyncParsableCommand, UsageChecked {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Show what apply --env would change in an environment: create, update, no-op, replace, delete.",
    discussion: """
      Compares the plan with what the environment last applied (the state database) and with vRA: per \
      stage create, update (the inputs and template that differ; secret values never shown), no-op, \
      replace (what cannot change in place: project, deployment name, kind of source) or delete (a stage \
      the plan no longer lists; `apply --prune` deletes it). For each update, vRA's own what-if per \
      resource (a `plan: true` blueprint request; nothing is changed). Drift, changes made outside \
      vra-engine (a deployment deleted, inputs changed by another request, resources gone), is shown \
      apart; `apply --env` repairs it.

      --output json prints {"environment", "plan", "changes": bool, "stages": [{"stage", "action", \
      "deploymentName", "deploymentId", "reasons", "inputChanges", "templateChange", "versionChange", \
      "drift", "resources", "resourcesUnavailable", "pruned"}]} (docs/environments.md).

      Exit codes: 0 (with --detailed-exitcode: 0 no changes, 5 changes pending), 2 invalid plan or flags, \
      3 auth/connectivity.

      Examples:
        vra-engine plan plan.yaml --env staging
        vra-engine plan plan.yaml --env production --output json --detailed-exitcode
      """)

  @Argument(help: "The plan file (YAML or TOML).") var plan: String
  @Option(help: ArgumentHelp("The environment (overrides the plan's `environment:`).", valueName: "name"))
  var env: String?
  @Flag(help: "Show the stages the plan no longer lists as deleted by this apply (apply --prune).") var prune = false
  @Flag(help: "Exit 5 when there are changes to apply, 0 when none.") var detailedExitcode = false
  @Flag(help: "Do not ask vRA for its what-if of updates.") var noWhatIf = false
  @Option(help: OutputFormat.help) var output: OutputFormat = .text
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var telemetry: TelemetryOptions

  func checkUsage() throws(UsageError) {}

  func run() async throws {
    let configuration = try await connection.loadConfiguration(telemetry: telemetry)
    let environment = configuration.environment
    let binding: EnvironmentBinding
    do {
      let (loaded, warnings) = try PlanLoader.loadValidated(
        contentsOf: URL(fileURLWithPath: plan), environment: environment)
      for warning in warnings { Terminal.err(warning.description) }
      guard let bound = try EnvironmentBinding.bind(loaded, flag: env) else {
        throw Terminal.usageError(
          "plan needs an environment: --env NAME, or `environment:` in the plan", command: "plan")
      }
      binding = bound
    } catch let error as PlanError {
      throw PlanCheck.refuse(error.diagnostics, output: output)
    }
    let resolver = SecretResolver(environment: try await configuration.secretEnvironment())
    let secrets: PlanSecrets
    do {
      secrets = try await PlanSecrets.resolve(binding.plan, with: resolver, registeringIn: OutputRedaction.redactor)
    } catch {
      Terminal.err(error.description)
      throw error.isConnectivityOrAuth ? ExitCodes.authOrConnectivity : ExitCodes.usageOrValidation
    }
    let result = try await RunSession.with(configuration, resolver: resolver, notice: Terminal.err) { session in
      let problems = try await PlanRun.preflight(binding.plan, session: session)
      guard problems.isEmpty else { throw PlanCheck.refuse(problems, output: output) }
      do {
        return try await EnvironmentPlanner(
          plan: binding.plan, environment: binding.name, client: session.client, store: session.store,
          secrets: secrets, variables: environment, whatIf: !noWhatIf
        ).changes(prune: prune)
      } catch {
        throw ExitCodes.reporting(error)
      }
    }
    if output == .json {
      OutputJSON.print(PlanReport(result))
    } else {
      Terminal.out(PlanRendering.text(result))
    }
    if detailedExitcode, result.hasChanges { throw ExitCodes.changesPending }
  }
}

/// `plan --output json`.
struct PlanReport: Encodable {
  var environment: String
  var plan: String
  var changes: Bool
  var stages: [StageChange]

  init(_ plan: EnvironmentPlan) {
    environment = plan.environment
    self.plan = plan.plan
    changes = plan.hasChanges
    stages = plan.stages
  }
}

/// `plan`'s text: one block per stage, drift apart, a summary line last.
enum PlanRendering {
  static func text(_ plan: EnvironmentPlan) -> String {
    var lines = ["environment \(plan.environment) (plan \(plan.plan)):", ""]
    for change in plan.stages {
      let symbol =
        switch change.action {
        case .create: "+"
        case .update: "~"
        case .replace: "-/+"
        case .delete: "-"
        case .noOp: " "
        case .action: "!"
        case .check: "?"
        }
      var head = "\(symbol) \(change.stage): \(change.action.rawValue) \(change.deploymentName)"
      if let id = change.deploymentId { head += " (\(id))" }
      lines.append(head)
      if change.action != .noOp && change.action != .check {
        for reason in change.reasons { lines.append("    \(reason)") }
      }
      if change.action == .update || change.action == .replace {
        for input in change.inputChanges {
          lines.append("    input \(input.name): " + describe(input))
        }
      }
      for resource in change.resources ?? [] {
        var line = "    resource \(resource.name)"
        if let type = resource.type { line += " (\(type))" }
        line += ": \(resource.reason)"
        let properties = resource.changedProperties.keys.sorted()
        if !properties.isEmpty, resource.reason == "UPDATE" || resource.reason == "RECREATE" {
          line +=
            " ["
            + properties.map { key in
              let difference = resource.changedProperties[key]!
              return "\(key): \(show(difference.before)) → \(show(difference.after))"
            }.joined(separator: ", ") + "]"
        }
        lines.append(line)
      }
      if let unavailable = change.resourcesUnavailable { lines.append("    (vRA what-if unavailable: \(unavailable))") }
      for finding in change.drift { lines.append("    drift: \(finding.detail)") }
    }
    let counts = Dictionary(grouping: plan.stages.filter(\.isChange), by: \.action).mapValues(\.count)
    let unchanged = plan.stages.filter { $0.action == .noOp }.count
    let kept = plan.stages.filter { $0.action == .delete && $0.pruned != true }.count
    let drifted = plan.stages.filter { !$0.drift.isEmpty }.count
    lines.append("")
    lines.append(
      plan.hasChanges
        ? "\(counts[.create] ?? 0) to create, \(counts[.update] ?? 0) to update, \(counts[.replace] ?? 0) to replace, "
          + "\(counts[.delete] ?? 0) to delete, \(unchanged) unchanged; \(drifted) with drift"
        : "no changes: environment \(plan.environment) is as the plan wants it")
    if kept > 0 {
      lines.append("\(kept) no longer in the plan and kept: `apply --prune` (and `plan --prune`) deletes them")
    }
    return lines.joined(separator: "\n")
  }

  private static func describe(_ input: InputChange) -> String {
    if input.knownAfterApply { return "\(show(input.before)) → (known after apply)" }
    if input.secret { return "(secret \(input.kind.rawValue))" }
    return "\(show(input.before)) → \(show(input.after))"
  }

  private static func show(_ value: JSONValue?) -> String {
    guard let value else { return "(none)" }
    if case .string(let text) = value { return "\"\(text)\"" }
    return CanonicalText.of(value)
  }
}

/// Compact JSON text of a value, for one line.
enum CanonicalText {
  static func of(_ value: JSONValue) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
  }
}
