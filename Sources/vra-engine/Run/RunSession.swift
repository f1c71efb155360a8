import ArgumentParser
import Engine
import Foundation
import Logging
import VRAClient

/// Everything a run needs from the outside: the state store, the vRA client (or the embedded
/// simulator) and the tracker. Opened once per command, closed on every path.
struct RunSession {
  let store: SQLStateStore
  let client: VRAClient
  let tracker: DeploymentTracker
  let simulator: EmbeddedSimulator?
  let configuration: RunConfiguration

  /// - Parameter resolver: reads credentials given as references; pass the one that resolved the plan's
  ///   secrets so each Vault secret is read once.
  static func open(
    _ options: ConnectionOptions, telemetry: TelemetryOptions? = nil, resolver: SecretResolver? = nil
  ) async throws(ExitCode) -> RunSession {
    try await open(options.loadConfiguration(telemetry: telemetry), resolver: resolver)
  }

  static func open(
    _ configuration: RunConfiguration, resolver: SecretResolver? = nil
  ) async throws(ExitCode) -> RunSession {
    var settings: EndpointSettings?
    let environment = ProcessInfo.processInfo.environment
    OutputRedaction.registerCredentials(from: environment)
    OutputRedaction.registerCredentials(from: configuration.resolved)
    do {
      settings = try EndpointSettings.resolve(from: configuration.resolved)
    } catch {
      Terminal.err("error: \(error)")
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
        throw ExitCodes.authOrConnectivity
      }
    }
    do {
      var clientConfiguration = effective.clientConfiguration()
      clientConfiguration.redactor = OutputRedaction.redactor
      let client = try VRAClient(configuration: clientConfiguration)
      let tracker = DeploymentTracker(
        client: client, configuration: configuration.trackerConfiguration(embedded: simulator != nil))
      return RunSession(
        store: store, client: client, tracker: tracker, simulator: simulator, configuration: configuration)
    } catch {
      Terminal.err("error: \(error)")
      try? await store.close()
      await simulator?.stop()
      throw ExitCodes.usageOrValidation
    }
  }

  func close() async {
    await tracker.shutdown()
    try? await store.close()
    await simulator?.stop()
  }
}
