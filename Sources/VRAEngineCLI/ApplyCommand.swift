import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState
import Secrets

/// `vra-engine apply PLAN`: a multi-stage rollout, resumable after any interruption.
struct ApplyCommand: AsyncParsableCommand, UsageChecked {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Run a multi-stage plan: stages in dependency order, bounded concurrency, rollback, resume.",
    discussion: """
      Everything is checked before anything is submitted: every template, every input that does not \
      wait on another stage, every reference and dependency; all problems are reported at once (exit 2).

      Each step is written to the state database before it is taken. After a crash, Ctrl-C or a lost \
      connection, `vra-engine apply PLAN --resume RUN_ID` re-attaches to requests still running in vRA \
      and skips finished stages; a stage interrupted while submitting is looked up by its deployment \
      name, never submitted twice.

      Ctrl-C cancels the in-flight requests in vRA and exits 130; press it twice to exit at once. \
      `vra-engine cancel RUN_ID` from another terminal does the same through the state database.

      One process works on a run at a time: it holds the run's lease. `--resume` of a run a live process \
      owns is refused (exit 2) with its host and pid; a lease that expired without being released \
      (a stalled process) is taken over only with --takeover. A run resumes against the vRA it was \
      created against; another endpoint given explicitly is refused (exit 2).

      Settings come from flags, the environment and a config file profile (docs/configuration.md); \
      edits of the file's polling, concurrency and log level take effect while the run goes on.

      Text output shows the run id as the run starts, the progress, and every stage's outputs at the end. \
      --output json prints {"run": {"id", "status", "startedAt", "finishedAt"}, "stages": [{"name", \
      "status", "deploymentId", "requestId", "outputs", "resources", "error"}]} (docs/apply.md); an invalid \
      plan prints {"valid": false, "errors": [{"file", "line", "column", "message", ...}], "warnings"} \
      instead, as `vra-engine validate PLAN --output json` does. Errors go to stderr either way.

      With --server URL (or VRA_ENGINE_SERVER) and the token in VRA_ENGINE_TOKEN, the plan and the templates \
      it names (beside it or below it) are sent to a vra-engine server, which checks and runs it; this \
      command shows the run as it does a local one, with the same output and exit codes, and Ctrl-C asks \
      the server to cancel it. The server keeps the state and resumes its runs itself: --resume, --state \
      and the vRA endpoint flags do not go with --server (docs/apply.md, Through a server).

      In CI (docs/ci.md): --report junit=FILE and --report markdown=FILE write reports when the run ends, \
      however it ends (appended to $GITHUB_STEP_SUMMARY too when set); --destroy-after always|on-success \
      deletes what the run created once it ends (also after a failure or Ctrl-C) and keeps the run's exit \
      code; --max-duration 180s cancels a rollout that takes longer.

      Exit codes: 0 succeeded, 1 a stage failed, 2 invalid plan or flags (or the run is owned by another \
      process), 3 auth/connectivity, 4 another process took the run over, 6 the run exceeded --max-duration, \
      7 the --destroy-after teardown failed (deployments may be left), 130 cancelled.

      Examples:
        vra-engine apply plan.yaml --dry-run
        vra-engine apply plan.yaml --resume 3f9a2c1d
        vra-engine apply plan.yaml --destroy-after always --max-duration 180s --report junit=report.xml
        VRA_ENGINE_TOKEN=... vra-engine apply plan.yaml --server https://engine.example.com
      """)

  @Argument(help: "The plan file (YAML or TOML).") var plan: String
  @Option(help: ArgumentHelp("Resume this run instead of starting a new one.", valueName: "run-id")) var resume: String?
  @Flag(help: "With --resume: take over a run whose owner's lease expired (a stalled or unreachable process).")
  var takeover = false
  @Option(
    help: ArgumentHelp(
      "Converge this environment: stable deployment names, unchanged stages left alone, changed ones updated "
        + "in place (docs/environments.md). Overrides the plan's `environment:`.", valueName: "name"))
  var env: String?
  @Flag(help: "With an environment: delete the deployments of stages the plan no longer lists.") var prune = false
  @Flag(help: "Print the layers and every request that would be sent, then exit.") var dryRun = false
  @Option(help: OutputFormat.help) var output: OutputFormat = .text
  @OptionGroup var sandbox: SandboxOptions
  @OptionGroup var reports: ReportOptions
  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var telemetry: TelemetryOptions
  @OptionGroup var server: ServerOptions

  func checkUsage() throws(UsageError) {
    if dryRun, output == .json {
      throw Terminal.usageError(
        "--dry-run prints the requests as text; --output json is the report of a run", command: "apply")
    }
    if dryRun, env != nil {
      throw Terminal.usageError(
        "an environment's changes are shown by `vra-engine plan PLAN --env NAME`, not --dry-run", command: "apply")
    }
    if prune, resume != nil {
      throw Terminal.usageError(
        "--prune is decided when a run starts; a resumed run keeps what it started with", command: "apply")
    }
    if takeover, resume == nil {
      throw Terminal.usageError("--takeover goes with --resume RUN_ID", command: "apply")
    }
    try sandbox.checkUsage(dryRun: dryRun, environment: env)
    if dryRun, !reports.isEmpty {
      throw Terminal.usageError("--report goes with a run; --dry-run sends nothing", command: "apply")
    }
    try server.checkUsage(
      localFlags: connection.localFlagsGiven + telemetry.localFlagsGiven,
      refused: (resume == nil
        ? [] : [("--resume", "the server resumes its runs itself; follow one with vra-engine runs watch RUN_ID")])
        + (env == nil ? [] : [("--env", "environments are applied locally for now (docs/environments.md)")])
        + (prune ? [("--prune", "environments are applied locally for now (docs/environments.md)")] : [])
        + sandbox.given.map { ($0, "the server runs the plan; tear down with vra-engine destroy RUN_ID --server") },
      command: "apply")
  }

  func run() async throws {
    if let remote = try server.connection() {
      connection.applyLogSettings()
      try await RemoteApply(
        connection: remote, plan: plan, dryRun: dryRun, output: output,
        details: "vra-engine runs show\(server.flagForHints(remote))", reports: reports
      ).run()
      return
    }
    let configuration = try await connection.loadConfiguration(telemetry: telemetry)
    // Traces when the OTEL_* variables (or the profile) ask for them, flushed however the command ends.
    try await TracingExporter.around(configuration, notice: Terminal.err) { try await execute(configuration) }
  }

  private func execute(_ configuration: RunConfiguration) async throws {
    let environment = configuration.environment
    let loaded: Plan
    do {
      let (plan, warnings) = try PlanLoader.loadValidated(
        contentsOf: URL(fileURLWithPath: self.plan), environment: environment)
      for warning in warnings { Terminal.err(warning.description) }
      GitHubAnnotations.emit(warnings)
      loaded = try EnvironmentBinding.bind(plan, flag: env)?.plan ?? plan
    } catch {
      throw PlanCheck.refuse(error.diagnostics, output: output)
    }
    if dryRun, let environment = loaded.environment {
      throw Terminal.usageError(
        "the plan applies environment \(environment): its changes are shown by `vra-engine plan \(plan)`, not --dry-run",
        command: "apply")
    }
    try sandbox.checkUsage(dryRun: dryRun, environment: loaded.environment)
    if prune, loaded.environment == nil {
      throw Terminal.usageError(
        "--prune goes with an environment (--env NAME, or `environment:` in the plan)", command: "apply")
    }
    if dryRun {
      Terminal.out(DryRun.describe(loaded, environment: environment, redactor: OutputRedaction.redactor))
      try await preflightDryRun(loaded, configuration: configuration)
      return
    }

    // Every secret of the plan is read before anything is sent (and again on every resume: never stored).
    let resolver = SecretResolver(environment: try await configuration.secretEnvironment())
    let secrets: PlanSecrets
    do {
      secrets = try await PlanSecrets.resolve(loaded, with: resolver, registeringIn: OutputRedaction.redactor)
    } catch {
      Terminal.err(error.description)
      throw error.isConnectivityOrAuth ? ExitCodes.authOrConnectivity : ExitCodes.usageOrValidation
    }

    let exitCode = try await MetricsEndpoint.serving(configuration, notice: Terminal.err) {
      if let resume {
        try await RunSession.with(
          configuration, forRun: RunID(rawValue: resume), resolver: resolver, notice: Terminal.err
        ) { try await execute(loaded, secrets: secrets, session: $0) }
      } else {
        try await RunSession.with(configuration, resolver: resolver, notice: Terminal.err) {
          try await execute(loaded, secrets: secrets, session: $0)
        }
      }
    }
    if exitCode != ExitCodes.ok { throw exitCode }
  }

  /// Runs (or resumes) the plan in `session`; the exit code of how the run ended.
  private func execute(_ loaded: Plan, secrets: PlanSecrets, session: RunSession) async throws -> ExitCode {
    let configuration = session.configuration
    try await preflight(loaded, session: session)
    let limits = ConcurrencyLimits(configuration.concurrencyLimits)
    let display = EventDisplay(quiet: output == .json)
    let orchestrator = Orchestrator(
      plan: loaded, client: session.client, store: session.store, tracking: session.tracker,
      environment: configuration.environment, limits: limits, secrets: secrets, lease: session.lease,
      target: session.target, events: display.sink)
    let finalStatus: RunStatus
    var runId: RunID?
    let deadline = sandbox.deadline
    do {
      switch try await PlanRun.start(
        orchestrator, planFile: self.plan, resume: resume.map(RunID.init(rawValue:)), prune: prune, session: session)
      {
      case .alreadySucceeded(let id):
        Terminal.err("run \(id) already succeeded; nothing to resume")
        return ExitCodes.ok
      case .run(let id, let warning):
        if let warning { Terminal.err(warning) }
        runId = id
      }
      let ownership: LeaseAcquisition = takeover ? .takeover : .ifFree
      let id = runId!
      finalStatus = try await HotReload.watching(configuration, session: session, limits: limits) {
        try await InterruptHandler.cancellingOnInterrupt {
          try await deadline.enforce { try await orchestrator.run(id, ownership: ownership).status }
        }
      }
    } catch {
      await display.close()
      if let runId { await CIReports.write(reports, run: runId, plan: loaded, store: session.store) }
      throw ExitCodes.reporting(error)
    }
    await display.close()
    guard let runId else { return ExitCodes.ok }
    await RunSummary.show(runId, status: finalStatus, store: session.store, order: loaded.stageNames, output: output)
    return await finish(runId, status: finalStatus, deadline: deadline, plan: loaded, session: session)
  }

  /// After the run: `--max-duration`'s verdict, the reports, and `--destroy-after`'s teardown
  /// (the reports are written before it and again after it, each time whole). The exit code is the
  /// run's (6 when it exceeded --max-duration), or 7 when the teardown failed.
  private func finish(
    _ runId: RunID, status: RunStatus, deadline: RunDeadline, plan: Plan, session: RunSession
  ) async -> ExitCode {
    var exit = await ExitCodes.of(status, runId: runId, store: session.store)
    let exceeded = deadline.exceeded && status == .cancelled
    if exceeded {
      Terminal.err("error: \(deadline.message); its stages were cancelled in vRA")
      _ = try? await session.store.appendEvent(run: runId, kind: "run.max-duration", message: deadline.message)
      exit = ExitCodes.maxDurationExceeded
    }
    var report = await CIReports.load(
      run: runId, plan: plan, store: session.store, cancelReason: exceeded ? deadline.message : nil)
    if exceeded { report?.notes.append(deadline.message) }
    guard sandbox.tearsDown(succeeded: status == .succeeded) else {
      if let report { reports.write(report) }
      return exit
    }
    if var early = report {
      early.notes.append("teardown (--destroy-after \(sandbox.destroyAfter.rawValue)) in progress")
      reports.write(early, appendSummary: false)
    }
    let order = (try? StageGraph(plan: plan))?.topologicalOrder ?? plan.stageNames
    let teardown = await RunTeardown.run(runId, order: order, session: session, quiet: output == .json)
    if var report {
      report.cases.append(RunTeardown.testCase(teardown, runId: runId))
      report.notes.append(
        teardown.succeeded
          ? "torn down (--destroy-after \(sandbox.destroyAfter.rawValue)): nothing of run \(runId) is left"
          : "the teardown failed: delete what is left with vra-engine destroy \(runId) -y")
      reports.write(report)
    }
    return teardown.succeeded ? exit : ExitCodes.teardownFailed
  }

  /// Checks the plan against vRA before anything is submitted: exit 2 with every problem, exit 3
  /// when vRA cannot be reached or refuses the credentials; nothing is sent but logins and reads.
  private func preflight(_ plan: Plan, session: RunSession) async throws {
    let problems = try await PlanRun.preflight(plan, session: session)
    guard problems.isEmpty else { throw PlanCheck.refuse(problems, output: output, sayNothingWasSent: true) }
  }

  /// The dry run checks the plan against vRA too when it can be reached, and says so when not.
  private func preflightDryRun(_ plan: Plan, configuration: RunConfiguration) async throws {
    let (checked, target) = try await RunSession.with(configuration, notice: Terminal.err) {
      session -> (Result<[PlanDiagnostic], RuntimeError>, RunTarget) in
      do {
        return (.success(try await PlanRun.preflight(plan, session: session)), session.target)
      } catch let error as RuntimeError {
        return (.failure(error), session.target)
      }
    }
    switch checked {
    case .failure(let error):
      Terminal.err(
        "warning: could not check projects, blueprints and catalog items against \(target): "
          + error.message.replacingOccurrences(of: "error: ", with: "").split(separator: "\n")[0])
    case .success(let problems) where problems.isEmpty:
      Terminal.err("checked against \(target): every project, blueprint and catalog item exists")
    case .success(let problems):
      for problem in problems { Terminal.err(problem.description) }
      throw ExitCodes.usageOrValidation
    }
  }
}
