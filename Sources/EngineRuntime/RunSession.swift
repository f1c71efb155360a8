import Engine
import Foundation
import Logging
import RunState
import Secrets
import VRAClient

/// Everything a run needs from the outside: the state store, the vRA client (or the embedded
/// simulator) and the tracker, for the length of one closure. `apply`, `deploy`, `cancel`,
/// `destroy` and `runs watch` use it, and so will `serve`: whatever the body does, the tracker's
/// loops stop, the store closes and the embedded simulator stops when it ends.
public struct RunSession: Sendable {
  public let store: SQLStateStore
  public let client: VRAClient
  public let tracker: DeploymentTracker
  public let simulator: EmbeddedSimulator?
  public let configuration: RunConfiguration
  /// The vRA this session talks to: recorded with the runs it creates, checked against the one
  /// recorded with a run it resumes, cancels or destroys.
  public let target: RunTarget

  public var lease: LeaseSettings { configuration.lease }

  /// Runs `body` with a session for an existing run: against the vRA recorded with it when no
  /// endpoint is configured; refused (exit 2) when another endpoint is given explicitly, or when a
  /// live process owns the run (`cancel` asks that owner through the store instead, without a session).
  ///
  /// - Parameters:
  ///   - store: a store the caller keeps open (a service's); nil opens `configuration.statePath` for the body.
  ///   - simulator: an embedded simulator the caller runs (a service's); nil starts one when needed.
  public static func with<Result>(
    _ configuration: RunConfiguration, forRun runId: RunID, resolver: SecretResolver? = nil,
    store: SQLStateStore? = nil, simulator: EmbeddedSimulator? = nil,
    notice: @escaping NoticeSink, _ body: (RunSession) async throws -> Result
  ) async throws -> Result {
    let run: RunRecord?
    do {
      if let store {
        run = try await store.run(runId)
      } else {
        run = try await StateAccess.peek(runId, in: try await configuration.stateConnection())
      }
    } catch {
      throw RuntimeError.error("\(error)", status: .usageOrValidation)
    }
    guard let run else {
      throw RuntimeError.error(
        "no run \(runId) in \(try await configuration.stateConnection())",
        hint: "`vra-engine runs --state FILE` lists the runs of another state file", status: .usageOrValidation)
    }
    if let lease = run.lease, lease.expiresAt > Date(), !lease.owner.isKnownDead {
      // Nothing is started for a run another live process works on (not even the embedded simulator).
      throw RuntimeError.error(
        "\(StateStoreError.runOwned(run: runId, owner: lease.owner, until: lease.expiresAt))",
        status: .usageOrValidation)
    }
    return try await with(
      configuration, resolver: resolver, recorded: run, store: store, simulator: simulator, notice: notice, body)
  }

  /// Runs `body` with a session for new work.
  ///
  /// - Parameter resolver: reads credentials given as references; pass the one that resolved the
  ///   plan's secrets so each Vault secret is read once.
  ///   - store: a store the caller keeps open (a service's); nil opens `configuration.statePath` for the body.
  ///   - simulator: an embedded simulator the caller runs (a service's), used when no endpoint is
  ///     configured; nil starts one for the body then.
  public static func with<Result>(
    _ configuration: RunConfiguration, resolver: SecretResolver? = nil, recorded run: RunRecord? = nil,
    store: SQLStateStore? = nil, simulator running: EmbeddedSimulator? = nil,
    notice: @escaping NoticeSink, _ body: (RunSession) async throws -> Result
  ) async throws -> Result {
    let (settings, target) = try await endpoint(configuration, resolver: resolver, recorded: run)
    return try await withStore(store, configuration: configuration) { store in
      try await withEndpoint(
        settings, running: running, stateDirectory: configuration.stateDirectory, notice: notice
      ) {
        effective, simulator in
        var clientConfiguration = effective.clientConfiguration()
        clientConfiguration.redactor = OutputRedaction.redactor
        let client: VRAClient
        do {
          client = try VRAClient(configuration: clientConfiguration)
        } catch {
          throw RuntimeError.error("\(error)", status: .usageOrValidation)
        }
        return try await DeploymentTracker.with(
          client: client, configuration: configuration.trackerConfiguration(embedded: simulator != nil)
        ) { tracker in
          try await body(
            RunSession(
              store: store, client: client, tracker: tracker, simulator: simulator, configuration: configuration,
              target: target))
        }
      }
    }
  }

  /// The configured endpoint with its credentials read (nil: the embedded simulator), and the
  /// target to record; checked against the run's recorded target.
  private static func endpoint(
    _ configuration: RunConfiguration, resolver: SecretResolver?, recorded run: RunRecord?
  ) async throws(RuntimeError) -> (EndpointSettings?, RunTarget) {
    var resolved = configuration.resolved
    OutputRedaction.registerCredentials(from: configuration.environment)
    OutputRedaction.registerCredentials(from: configuration.resolved)
    if let run, let recorded = run.target, !recorded.embedded, resolved.text(.endpointURL) == nil {
      // The run's own vRA, with the credentials configured now (never stored with the run).
      var values = resolved.values
      values[.endpointURL] = .init(setting: .text(recorded.endpoint), source: .flag("(recorded with run \(run.id))"))
      resolved = ResolvedConfiguration(values: values, file: resolved.file, profile: resolved.profile)
    }
    var settings: EndpointSettings?
    do {
      settings = try EndpointSettings.resolve(from: resolved)
    } catch {
      var message = "error: \(error)"
      if let run, let recorded = run.target, let credentials = recorded.credentials {
        message += "\nhint: run \(run.id) ran against \(recorded) with credentials from \(credentials)"
      }
      throw RuntimeError(message, status: .usageOrValidation)
    }
    let target = settings.map { Self.target(of: $0, resolved) } ?? .embeddedSimulator
    if let run, let recorded = run.target, !recorded.sameEndpoint(as: target) {
      throw .error(
        "\(RunRefusal.endpointMismatch(run.id, recorded: recorded, given: target))", status: .usageOrValidation)
    }
    let secretResolver: SecretResolver
    if let resolver {
      secretResolver = resolver
    } else {
      secretResolver = SecretResolver(environment: try await configuration.secretEnvironment())
    }
    do {
      // Credentials may be references (VRA_PASSWORD=vault:secret/vra#password), read here, kept in memory.
      settings = try await settings?.resolvingSecretReferences(with: secretResolver)
    } catch {
      throw .error("\(error)", status: error.isConnectivityOrAuth ? .authOrConnectivity : .usageOrValidation)
    }
    return (settings, target)
  }

  /// Runs `body` against `settings`, or against the embedded simulator (started for `body` and
  /// stopped after it) when there are none.
  private static func withEndpoint<Result>(
    _ settings: EndpointSettings?, running: EmbeddedSimulator?, stateDirectory: URL, notice: @escaping NoticeSink,
    _ body: (EndpointSettings, EmbeddedSimulator?) async throws -> Result
  ) async throws -> Result {
    if let settings { return try await body(settings, nil) }
    if let running { return try await body(running.settings, running) }
    let simulator: EmbeddedSimulator
    do {
      simulator = try await EmbeddedSimulator.start(stateDirectory: stateDirectory, notice: notice)
    } catch {
      throw RuntimeError.error(
        "cannot start the embedded simulator: \(error)",
        status: error is StateFileLock.Busy ? .usageOrValidation : .authOrConnectivity)
    }
    do {
      let result = try await body(simulator.settings, simulator)
      await simulator.stop()
      return result
    } catch {
      await simulator.stop()
      throw error
    }
  }

  /// `store` when given (the caller closes it), else the configured store for the length of `body`.
  private static func withStore<Result>(
    _ store: SQLStateStore?, configuration: RunConfiguration, _ body: (SQLStateStore) async throws -> Result
  ) async throws -> Result {
    if let store { return try await body(store) }
    return try await StateAccess.with(try await configuration.stateConnection(), body)
  }

  /// The target recorded for `settings`: the endpoint, the org, and where the credentials came from.
  private static func target(of settings: EndpointSettings, _ resolved: ResolvedConfiguration) -> RunTarget {
    let sources = SettingKey.credentials.compactMap { resolved.values[$0]?.source.description }
    var unique: [String] = []
    for source in sources where !unique.contains(source) { unique.append(source) }
    return RunTarget(
      endpoint: settings.endpoint.absoluteString, org: settings.organization.isEmpty ? nil : settings.organization,
      credentials: unique.isEmpty ? nil : unique.joined(separator: ", "))
  }
}
