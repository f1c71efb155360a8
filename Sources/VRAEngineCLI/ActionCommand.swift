import ArgumentParser
import CloudTemplate
import Credentials
import Engine
import EngineRuntime
import Foundation
import VRAClient
import VRAModels

/// `vra-engine action DEPLOYMENT ACTION_ID`: one day-2 action, its inputs checked against the
/// action's schema before anything is sent, then followed by its own request id to its end.
///
/// A one-stage plan whose stage is an action (`action: {deployment, id}`), run by the same
/// `Orchestrator` as `apply`: the same record, progress, approvals, Ctrl-C and JSON report.
struct ActionCommand: AsyncParsableCommand, UsageChecked {
  static let configuration = CommandConfiguration(
    commandName: "action",
    abstract: "Run a day-2 action on a deployment or one of its resources and follow it to its end.",
    discussion: """
      DEPLOYMENT is a deployment's name or id; ACTION_ID is vRA's action id (Deployment.PowerOff, \
      Deployment.ChangeLease, Cloud.vSphere.Machine.Resize, ...): `vra-engine actions DEPLOYMENT` lists \
      them. --resource NAME runs a resource's action instead of the deployment's.

      Input values come from --input name=value (repeatable), --inputs FILE and VRA_INPUT_<NAME>, \
      converted and checked against the action's input schema as vRA lists it, every problem at once; \
      nothing is sent when one is wrong (exit 2). An action vRA says is not valid now (a machine already \
      off) is refused (exit 2). While another request runs on the deployment, the action waits its turn.

      The request is followed by its own id. While it awaits an approval in vRA it shows as such, and \
      --timeout does not run; --approval-timeout bounds that wait (default: none). A rejection fails at \
      once with the approver's reason. Ctrl-C cancels the request in vRA and exits 130.

      Exit codes: 0 done (or accepted, with --no-wait), 1 the action failed, was rejected or timed out, \
      2 invalid arguments or inputs, or an action not valid now, 3 auth/connectivity, 130 cancelled.

      Examples:
        vra-engine action web-1 Deployment.PowerOff --reason "maintenance window"
        vra-engine action web-1 Cloud.vSphere.Machine.Resize --resource vm --input cpuCount=4
      """)

  @Argument(help: ArgumentHelp("The deployment, by name or id.", valueName: "deployment")) var deployment: String
  @Argument(help: ArgumentHelp("vRA's action id.", valueName: "action-id")) var actionId: String
  @Option(help: ArgumentHelp("Run the action of this resource (its name in the template).", valueName: "name"))
  var resource: String?
  @OptionGroup var inputs: InputOptions
  @Option(help: ArgumentHelp("The reason vRA records with the request.", valueName: "text")) var reason: String?

  @Flag(inversion: .prefixedNo, help: "Wait until the action ends (default), or return once vRA accepted it.")
  var wait = true
  @Option(help: ArgumentHelp("Give up after this long, approval waits not counted.", valueName: "duration"))
  var timeout: String = "30m"
  @Option(help: ArgumentHelp("Give up when not approved within this long (default: wait).", valueName: "duration"))
  var approvalTimeout: String?

  @Option(help: OutputFormat.help) var output: OutputFormat = .text
  @OptionGroup var limitOptions: TemplateLimitOptions
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var telemetry: TelemetryOptions

  func checkUsage() throws(UsageError) {
    guard TimeoutOption.parse(timeout) != nil else {
      throw Terminal.usageError(
        "--timeout must be a duration such as 30m, 1h30m or 90s, not '\(timeout)'", command: "action")
    }
    if let approvalTimeout, TimeoutOption.parse(approvalTimeout) == nil {
      throw Terminal.usageError(
        "--approval-timeout must be a duration such as 30m, 1h30m or 90s, not '\(approvalTimeout)'",
        command: "action")
    }
    try limitOptions.check(command: "action")
  }

  func run() async throws {
    let configuration = try await connection.loadConfiguration(telemetry: telemetry)
    try await TracingExporter.around(configuration, notice: Terminal.err) { try await execute(configuration) }
  }

  private func execute(_ configuration: RunConfiguration) async throws {
    let sources = inputs.sources(limits: limitOptions.limits, environment: configuration.environment)
    let exitCode = try await MetricsEndpoint.serving(configuration, notice: Terminal.err) {
      try await RunSession.with(configuration, notice: Terminal.err) { session in
        let (target, values) = try await check(sources, client: session.client)
        return try await act(on: target, inputs: values, session: session)
      }
    }
    if exitCode.rawValue != 0 { throw exitCode }
  }

  /// The deployment and the action found, the action valid (or waiting on a request in progress),
  /// and the inputs checked against its schema; exit 2 otherwise, before anything is sent.
  private func check(
    _ sources: InputSources, client: VRAClient
  ) async throws -> (ActionTarget, [String: JSONValue]) {
    let target: ActionTarget
    let action: DeploymentAction
    do {
      target = try await ActionTarget.resolve(deployment: deployment, resource: resource, client: client)
      action = try await target.action(actionId, client: client)
    } catch let failure as StageFailure {
      throw RuntimeError.error(failure.message, hint: failure.hint, status: .usageOrValidation)
    }
    if action.valid == false {
      let last = try await client.deployment(id: target.deploymentId, expand: [.lastRequest]).lastRequest
      if last?.status?.isTerminal ?? true {
        throw RuntimeError.error(
          "vRA says the action \(actionId) is not valid for \(target.deploymentName) in its current state; "
            + "nothing was sent",
          hint: "list what is valid now with `vra-engine actions \(deployment)`", status: .usageOrValidation)
      }
      Terminal.err("a request is in progress on \(target.deploymentName): the action waits its turn")
    }
    let schemaName = "action \(actionId)"
    // Encrypted inputs are secrets from here on: no message, log line or report shows them.
    OutputRedaction.redactor.registerSensitiveNames(ActionInputCheck.encryptedInputs(of: action.schema))
    let gathered = sources.gather(for: try RemoteSource.template(from: action.schema ?? [:], describing: schemaName))
    for name in ActionInputCheck.encryptedInputs(of: action.schema) {
      if case .string(let value)? = gathered.values[name] { OutputRedaction.redactor.register(Secret(value)) }
    }
    let violations =
      gathered.violations
      + (try ActionInputCheck.violations(of: gathered.values, against: action.schema, actionId: actionId))
    let findings =
      gathered.problems.map(ValidationFinding.init)
      + violations.map { ValidationFinding($0, templateFile: schemaName) }
    for finding in findings { Terminal.err(finding.description) }
    if findings.contains(where: \.isError) {
      Terminal.err("nothing was sent: fix the inputs above (`vra-engine actions \(deployment)` shows the schema)")
      throw ExitCodes.usageOrValidation
    }
    return (target, gathered.values)
  }

  /// Runs the one-stage plan through the Orchestrator, exactly as `apply` runs a plan.
  private func act(
    on target: ActionTarget, inputs: [String: JSONValue], session: RunSession
  ) async throws -> ExitCode {
    let stage = PlanStage(
      name: "action",
      source: .action(
        StageAction(
          target: .deployment(LiteralText.escape(target.deploymentId)), actionId: actionId, resource: resource,
          reason: reason)),
      deploymentName: LiteralText.escape(target.deploymentName), inputs: inputs.mapValues(LiteralText.escape))
    let plan = Plan(
      name: "action",
      defaults: PlanDefaults(
        parallelism: 1, timeout: TimeoutOption.parse(timeout),
        approvalTimeout: approvalTimeout.flatMap(TimeoutOption.parse)),
      stages: [stage], file: "\(actionId) on \(target.deploymentName)")
    let ended: OneStageRun.Ended
    switch await OneStageRun.run(
      plan, planDigest: "action \(actionId) on \(target.deploymentId)", session: session, output: output, wait: wait)
    {
    case .success(let value): ended = value
    case .failure(let exitCode): return exitCode
    }
    if output == .text, let record = ended.stage {
      var lines = ["\(target.describe(actionId)): \(record.status)"]
      if let request = record.requestId { lines.append("  request: \(request)") }
      if let error = record.error { lines.append("  error: \(error)") }
      if record.status == .submitted {
        lines.append("  not waited for; follow it with: vra-engine runs watch \(ended.runId)")
      }
      Terminal.out(lines.joined(separator: "\n"))
    }
    return ended.exitCode
  }
}
