import ArgumentParser
import Engine
import Foundation
import Logging
import RunState
import Secrets
import VRAClient

/// Everything a run needs from the outside: the state store, the vRA client (or the embedded
/// simulator) and the tracker. Opened once per command, closed on every path.
struct RunSession {
  let store: SQLStateStore
  let client: VRAClient
  let tracker: DeploymentTracker
  let simulator: EmbeddedSimulator?
  let configuration: RunConfiguration
  /// The vRA this session talks to: recorded with the runs it creates, checked against the one
  /// recorded with a run it resumes, cancels or destroys.
  let target: RunTarget

  /// The lease settings (`VRA_ENGINE_LEASE_DURATION`, `VRA_ENGINE_LEASE_CHECK` in seconds).
  var lease: LeaseSettings { LeaseSettings.from(environment: CommandContext.current.environment) }

  /// - Parameter resolver: reads credentials given as references; pass the one that resolved the plan's
  ///   secrets so each Vault secret is read once.
  static func open(
    _ options: ConnectionOptions, telemetry: TelemetryOptions? = nil, resolver: SecretResolver? = nil
  ) async throws(ExitCode) -> RunSession {
    try await open(options.loadConfiguration(telemetry: telemetry), resolver: resolver)
  }

  /// Opens a session for an existing run: against the vRA recorded with it when no endpoint is
  /// configured, refused (exit 2) when another endpoint is given explicitly, or when a live process
  /// owns the run (`cancel` asks that owner through the store instead, without a session).
  static func open(
    _ configuration: RunConfiguration, forRun runId: RunID, resolver: SecretResolver? = nil
  ) async throws(ExitCode) -> RunSession {
    let run: RunRecord?
    do {
      run = try await StateAccess.peek(runId, at: configuration.statePath)
    } catch {
      Terminal.err("error: \(error)")
      throw ExitCodes.usageOrValidation
    }
    guard let run else {
      Terminal.err(
        "error: no run \(runId) in \(configuration.statePath)\nhint: `vra-engine runs --state FILE` lists the runs of another state file"
      )
      throw ExitCodes.usageOrValidation
    }
    if let lease = run.lease, lease.expiresAt > Date(), !lease.owner.isKnownDead {
      // Nothing is started for a run another live process works on (not even the embedded simulator).
      Terminal.err("error: \(StateStoreError.runOwned(run: runId, owner: lease.owner, until: lease.expiresAt))")
      throw ExitCodes.usageOrValidation
    }
    return try await open(configuration, resolver: resolver, recorded: run)
  }

  static func open(
    _ configuration: RunConfiguration, resolver: SecretResolver? = nil, recorded run: RunRecord? = nil
  ) async throws(ExitCode) -> RunSession {
    var settings: EndpointSettings?
    var resolved = configuration.resolved
    let environment = CommandContext.current.environment
    OutputRedaction.registerCredentials(from: environment)
    OutputRedaction.registerCredentials(from: configuration.resolved)
    if let recorded = run?.target, !recorded.embedded, resolved.text("endpoint.url") == nil {
      // The run's own vRA, with the credentials configured now (never stored with the run).
      var values = resolved.values
      values["endpoint.url"] = .init(
        setting: .text(recorded.endpoint), source: .flag("(recorded with run \(run!.id))"))
      resolved = ResolvedConfiguration(values: values, file: resolved.file, profile: resolved.profile)
    }
    do {
      settings = try EndpointSettings.resolve(from: resolved)
    } catch {
      Terminal.err("error: \(error)")
      if let recorded = run?.target, let credentials = recorded.credentials {
        Terminal.err("hint: run \(run!.id) ran against \(recorded) with credentials from \(credentials)")
      }
      throw ExitCodes.usageOrValidation
    }
    let target = settings.map { Self.target(of: $0, resolved) } ?? .embeddedSimulator
    if let run, let recorded = run.target, !recorded.sameEndpoint(as: target) {
      Terminal.err("error: \(RunRefusal.endpointMismatch(run.id, recorded: recorded, given: target))")
      throw ExitCodes.usageOrValidation
    }
    let secretResolver: SecretResolver
    if let resolver {
      secretResolver = resolver
    } else {
      secretResolver = SecretResolver(environment: try await configuration.secretEnvironment(environment))
    }
    do {
      // Credentials may be references (VRA_PASSWORD=vault:secret/vra#password), read here, kept in memory.
      settings = try await settings?.resolvingSecretReferences(
        with: secretResolver)
    } catch {
      Terminal.err("error: \(error)")
      throw error.isConnectivityOrAuth ? ExitCodes.authOrConnectivity : ExitCodes.usageOrValidation
    }
    let store: SQLStateStore
    do {
      store = try await SQLStateStore.openSQLite(at: configuration.statePath)
    } catch {
      Terminal.err("error: cannot open the state database \(configuration.statePath): \(error)")
      throw ExitCodes.usageOrValidation
    }
    var simulator: EmbeddedSimulator?
    let effective: EndpointSettings
    if let settings {
      effective = settings
    } else {
      do {
        let started = try await EmbeddedSimulator.start(stateDirectory: configuration.stateDirectory)
        simulator = started
        effective = started.settings
      } catch {
        Terminal.err("error: cannot start the embedded simulator: \(error)")
        try? await store.close()
        throw error is StateFileLock.Busy ? ExitCodes.usageOrValidation : ExitCodes.authOrConnectivity
      }
    }
    do {
      var clientConfiguration = effective.clientConfiguration()
      clientConfiguration.redactor = OutputRedaction.redactor
      let client = try VRAClient(configuration: clientConfiguration)
      let tracker = DeploymentTracker(
        client: client, configuration: configuration.trackerConfiguration(embedded: simulator != nil))
      return RunSession(
        store: store, client: client, tracker: tracker, simulator: simulator, configuration: configuration,
        target: target)
    } catch {
      Terminal.err("error: \(error)")
      try? await store.close()
      await simulator?.stop()
      throw ExitCodes.usageOrValidation
    }
  }

  /// The target recorded for `settings`: the endpoint, the org, and where the credentials came from.
  private static func target(of settings: EndpointSettings, _ resolved: ResolvedConfiguration) -> RunTarget {
    let keys = ["auth.refreshToken", "auth.accessToken", "auth.username", "auth.password"]
    let sources = keys.compactMap { resolved.values[$0]?.source.description }
    var unique: [String] = []
    for source in sources where !unique.contains(source) { unique.append(source) }
    return RunTarget(
      endpoint: settings.endpoint.absoluteString, org: settings.organization.isEmpty ? nil : settings.organization,
      credentials: unique.isEmpty ? nil : unique.joined(separator: ", "))
  }

  func close() async {
    await tracker.shutdown()
    try? await store.close()
    await simulator?.stop()
  }
}
