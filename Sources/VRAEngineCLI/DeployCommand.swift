import ArgumentParser
import CloudTemplate
import Engine
import EngineRuntime
import Foundation
import RunState
import VRAClient
import VRAModels

/// `vra-engine deploy`: one template, blueprint or catalog item, deployed and tracked to its end.
///
/// A one-stage plan run by the same `Orchestrator` as `apply`: the same state store record,
/// progress, Ctrl-C handling and JSON report.
struct DeployCommand: AsyncParsableCommand, UsageChecked {
  static let configuration = CommandConfiguration(
    commandName: "deploy",
    abstract: "Deploy one cloud template, blueprint or catalog item and track it to its end.",
    discussion: """
      Choose exactly one source: --template FILE (a local cloud template, sent inline), --blueprint \
      NAME|ID or --catalog-item NAME|ID (with --version V; default the latest released version).

      Input values come from --input name=value (repeatable), --inputs FILE and VRA_INPUT_<NAME> \
      environment variables, highest first, converted and checked exactly as `vra-engine validate` does; \
      for a blueprint or catalog item, against the inputs schema vRA gives for it. Every problem is \
      reported at once and nothing is submitted (exit 2). Values of encrypted inputs are never printed.

      --no-wait returns as soon as vRA accepted the request and prints the deployment and request ids; \
      the run is recorded as submitted, and `vra-engine runs watch RUN_ID` follows it to its end later. Ctrl-C cancels the request in vRA and exits 130; press it twice \
      to exit at once.

      Text output ends with the deployment, its status, resources and outputs; --output json prints the \
      run's report, the same shape as `apply --output json` (docs/apply.md).

      Exit codes: 0 deployed (or accepted, with --no-wait), 1 the deployment failed or timed out, \
      2 invalid flags, template or inputs, 3 auth/connectivity, 130 cancelled.

      Examples:
        vra-engine deploy --template web.yaml --project Development --name web-1 --input size=large
        vra-engine deploy --catalog-item "Ubuntu VM" --project Development --name vm-7 --no-wait
      """)

  @Option(help: ArgumentHelp("A local cloud template (YAML) to deploy.", valueName: "file")) var template: String?
  @Option(help: ArgumentHelp("A blueprint (cloud template) in vRA, by name or id.", valueName: "name|id"))
  var blueprint: String?
  @Option(help: ArgumentHelp("A Service Broker catalog item, by name or id.", valueName: "name|id"))
  var catalogItem: String?
  @Option(help: ArgumentHelp("The blueprint or catalog item version.", valueName: "version")) var version: String?
  @Option(help: ArgumentHelp("The project to deploy into, by name or id.", valueName: "name|id")) var project: String?
  @Option(help: ArgumentHelp("The deployment's name.", valueName: "deployment")) var name: String?

  @OptionGroup var inputs: InputOptions

  @Flag(inversion: .prefixedNo, help: "Wait until the deployment ends (default), or return once vRA accepted it.")
  var wait = true

  @Option(help: ArgumentHelp("Give up waiting after this long (30m, 1h30m, 90s).", valueName: "duration"))
  var timeout: String = "30m"

  @Option(help: OutputFormat.help) var output: OutputFormat = .text
  @OptionGroup var limitOptions: TemplateLimitOptions
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var telemetry: TelemetryOptions

  func checkUsage() throws(UsageError) {
    let sources = [("--template", template), ("--blueprint", blueprint), ("--catalog-item", catalogItem)]
      .filter { $0.1 != nil }.map(\.0)
    guard sources.count == 1 else {
      throw Terminal.usageError(
        sources.isEmpty
          ? "say what to deploy: --template FILE, --blueprint NAME|ID or --catalog-item NAME|ID"
          : "choose one source, not \(sources.joined(separator: " and "))", command: "deploy")
    }
    if version != nil, template != nil {
      throw Terminal.usageError(
        "--version applies to --blueprint and --catalog-item, not --template", command: "deploy")
    }
    guard let project, !project.isEmpty else {
      throw Terminal.usageError("--project NAME|ID is required", command: "deploy")
    }
    guard let name, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw Terminal.usageError("--name DEPLOYMENT is required", command: "deploy")
    }
    guard TimeoutOption.parse(timeout) != nil else {
      throw Terminal.usageError(
        "--timeout must be a duration such as 30m, 1h30m or 90s, not '\(timeout)'", command: "deploy")
    }
    try limitOptions.check(command: "deploy")
  }

  func run() async throws {
    let configuration = try await connection.loadConfiguration(telemetry: telemetry)
    // Traces when the OTEL_* variables (or the profile) ask for them, flushed however the command ends.
    try await TracingExporter.around(configuration, notice: Terminal.err) { try await execute(configuration) }
  }

  private func execute(_ configuration: RunConfiguration) async throws {
    let environment = configuration.environment
    let sources = inputs.sources(limits: limitOptions.limits, environment: environment)

    // A local template is checked before anything is opened or sent.
    var local: (source: StageSource, inputs: [String: JSONValue])?
    if let template {
      let report = ValidationReport.check(templateAt: template, inputs: sources)
      try show(report.findings, templateValid: report.isValid)
      guard let parsed = report.template else { throw ExitCodes.usageOrValidation }
      local = (.template(path: URL(fileURLWithPath: template), template: parsed), report.boundInputs)
    }

    let exitCode = try await MetricsEndpoint.serving(configuration, notice: Terminal.err) {
      try await RunSession.with(configuration, notice: Terminal.err) { session in
        let (source, inputs) = if let local { local } else { try await remote(sources, session: session) }
        return try await deploy(source, inputs: inputs, session: session)
      }
    }
    if exitCode.rawValue != 0 { throw exitCode }
  }

  // MARK: Steps

  /// Prints the findings on stderr (and with `--output json` the `validate` report on stdout when
  /// invalid) and exits 2 when any is an error.
  private func show(_ findings: [ValidationFinding], templateValid isValid: Bool) throws(ExitCode) {
    for finding in findings { Terminal.err(finding.description) }
    if output == .json, !isValid {
      OutputJSON.print(
        JSONValue.object([
          "valid": .bool(false),
          "errors": .array(findings.filter(\.isError).map(\.jsonValue)),
          "warnings": .array(findings.filter { !$0.isError }.map(\.jsonValue)),
        ]))
    }
    guard isValid else {
      Terminal.err("nothing was submitted: fix the \(findings.filter(\.isError).count == 1 ? "error" : "errors") above")
      throw ExitCodes.usageOrValidation
    }
  }

  /// Finds the blueprint or catalog item in vRA and checks the inputs against its inputs schema.
  private func remote(
    _ sources: InputSources, session: RunSession
  ) async throws -> (StageSource, [String: JSONValue]) {
    let remote = try await OneStageDeployment.remote(
      blueprint != nil ? .blueprint : .catalogItem, blueprint ?? catalogItem ?? "", version: version,
      project: project ?? "", inputs: sources, client: session.client)
    try show(remote.findings, templateValid: !remote.findings.contains(where: \.isError))
    return (remote.source, remote.inputs)
  }

  /// Runs the one-stage plan through the Orchestrator, exactly as `apply` runs a plan.
  private func deploy(
    _ source: StageSource, inputs: [String: JSONValue], session: RunSession
  ) async throws -> ExitCode {
    let plan = OneStageDeployment.plan(
      source, inputs: inputs, project: project, deploymentName: name ?? "", timeout: TimeoutOption.parse(timeout),
      file: template ?? source.summary)
    let ended: OneStageRun.Ended
    switch await OneStageRun.run(
      plan, planDigest: template.map { PlanDigest.of(file: $0) } ?? source.summary, session: session, output: output,
      wait: wait)
    {
    case .success(let value): ended = value
    case .failure(let exitCode): return exitCode
    }
    if output == .text, let stage = ended.stage {
      Terminal.out(await DeploySummary.text(of: stage, run: ended.run, client: session.client))
    }
    return ended.exitCode
  }
}
