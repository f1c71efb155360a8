import Credentials
import Engine
import EngineRuntime
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import RunState
import Secrets
import ServiceLifecycle
import UnixSignals

/// `vra-engine serve`: the HTTP API, the run executor and the configuration watcher as services of
/// one `ServiceGroup`, over one state store (and one embedded simulator when a tenant names no vRA).
///
/// Graceful shutdown (SIGTERM, SIGINT) stops the HTTP server first (no new requests; open event
/// streams end so clients reconnect elsewhere), then hands every run back (`RunExecutor`): their
/// vRA requests go on, their leases are released, and the next start resumes them exactly.
public enum EngineService {
  /// A running service, for the body of `with`.
  public struct Running: Sendable {
    /// The port the API listens on (the configured one, or the one bound for port 0).
    public let port: Int
    public let scheme: String
    /// The state store the service uses (tests read it).
    public let store: SQLStateStore
    /// Every route served, as `METHOD /path/{parameter}` (the OpenAPI document's spelling).
    public let routes: [String]
    let group: ServiceGroup

    public var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Starts the graceful shutdown SIGTERM starts.
    public func shutDown() async { await group.triggerGracefulShutdown() }
  }

  /// Serves until a shutdown signal. `listening` is told the bound port once the API accepts requests.
  public static func run(
    _ configuration: ServeConfiguration, environment: [String: String], logger: Logger,
    listening: @escaping @Sendable (Running) -> Void
  ) async throws {
    try await serve(
      configuration, environment: environment, logger: logger, signals: [.sigterm, .sigint], listening: listening)
  }

  /// Runs `body` while the service runs (no signal handling: a test's service), then shuts it down
  /// gracefully and waits for it.
  public static func with<Result: Sendable>(
    _ configuration: ServeConfiguration, environment: [String: String] = [:],
    logger: Logger = Logger(label: "vra-engine.serve"), _ body: @escaping @Sendable (Running) async throws -> Result
  ) async throws -> Result {
    let (started, continuation) = AsyncStream.makeStream(of: Running.self)
    return try await withThrowingTaskGroup(of: Result?.self) { group in
      group.addTask {
        try await serve(
          configuration, environment: environment, logger: logger, signals: [], listening: { continuation.yield($0) })
        continuation.finish()
        return nil
      }
      var iterator = started.makeAsyncIterator()
      guard let running = await iterator.next() else {
        // The service ended before it listened: its error says why.
        while let _ = try await group.next() {}
        throw ServiceRunError("the service stopped before it listened")
      }
      let result: Result
      do {
        result = try await body(running)
      } catch {
        await running.shutDown()
        while let _ = try? await group.next() {}
        throw error
      }
      await running.shutDown()
      while let _ = try await group.next() {}
      return result
    }
  }

  private static func serve(
    _ configuration: ServeConfiguration, environment: [String: String], logger: Logger,
    signals: [UnixSignal], listening: @escaping @Sendable (Running) -> Void
  ) async throws {
    // Made first: it fingerprints the file now, so an edit made while the service starts is seen.
    let tenants = TenantDirectory(configuration)
    let watcher =
      FileManager.default.fileExists(atPath: configuration.file)
      ? ServeConfigurationWatcher(path: configuration.file, directory: tenants, logger: logger) : nil
    // Metrics made from here on go to the registry `/metrics` serves.
    _ = PrometheusMetrics.registry
    let state = try await stateConnection(configuration, environment: environment)
    let stateDirectory: URL
    switch state.database {
    case .sqlite(let path): stateDirectory = URL(fileURLWithPath: path).deletingLastPathComponent()
    case .postgres:
      if configuration.tenants.contains(where: { $0.vra == nil }) {
        logger.warning(
          """
          a tenant names no vra: its runs go to this replica's own embedded simulator; replicas sharing this \
          state cannot take over each other's runs of it (give every tenant a vra: url)
          """)
      }
      // Shared state, local scratch: bundles are unpacked (and an embedded simulator kept) beside serve.yaml.
      stateDirectory = URL(fileURLWithPath: configuration.file).deletingLastPathComponent()
        .appendingPathComponent(StateLocation.directoryName, isDirectory: true)
    }
    try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
    try await StateAccess.with(state) { store in
      try await withSimulatorIfNeeded(configuration, stateDirectory: stateDirectory, logger: logger) { simulator in
        var sessions = TenantSessions(
          statePath: configuration.statePath, configFile: configuration.file, environment: environment,
          simulator: simulator)
        let trackers = TenantTrackers(store: store, sessions: sessions, logger: logger)
        sessions.trackers = trackers
        let workDirectory = stateDirectory.appendingPathComponent("serve-work", isDirectory: true)
        let executor = RunExecutor(
          store: store, tenants: tenants, sessions: sessions, workDirectory: workDirectory, logger: logger)
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        OperationalRoutes(store: store).register(on: router)
        let api = router.group("api/v1")
          .add(
            middleware: TenantAuthMiddleware(
              authenticator: TenantAuthenticator(directory: tenants, logger: logger), throttle: AuthFailureThrottle())
          )
          .add(middleware: TenantScopeMiddleware())
          .add(middleware: LogRequestsMiddleware(.info))
        RunsAPI(
          store: store, tenants: tenants, executor: executor, sessions: sessions, workDirectory: workDirectory,
          logger: logger
        ).register(on: api)

        let routes = router.routes.map { route in
          "\(route.method) "
            + "\(route.path)".split(separator: "/", omittingEmptySubsequences: false).map {
              $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
            }.joined(separator: "/")
        }
        let scheme = configuration.tls == nil ? "http" : "https"
        let groupBox = ServiceGroupBox()
        let app = Application(
          router: router, server: try serverBuilder(configuration.tls),
          configuration: .init(
            address: .hostname(configuration.listen.host, port: configuration.listen.port), serverName: "vra-engine"),
          onServerRunning: { channel in
            guard let group = groupBox.group else { return }
            let port = channel.localAddress?.port ?? configuration.listen.port
            logger.notice("serving the API on \(scheme)://\(configuration.listen.host):\(port)/api/v1")
            listening(Running(port: port, scheme: scheme, store: store, routes: routes, group: group))
          }, logger: logger)
        // Shut down in reverse order: the API stops first, then the executor hands the runs back,
        // then the trackers they waited through stop.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
          .init(service: trackers), .init(service: executor),
        ]
        if let watcher { services.append(.init(service: watcher)) }
        services.append(.init(service: app))
        let group = ServiceGroup(
          configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
        groupBox.group = group
        try await group.run()
      }
    }
  }

  /// The state database serve.yaml names, with `state.password` read (a reference resolved).
  private static func stateConnection(
    _ configuration: ServeConfiguration, environment: [String: String]
  ) async throws -> StateConnection {
    let database = try StateDatabase.parse(configuration.statePath)
    guard case .postgres(let location) = database else { return StateConnection(database: database, password: nil) }
    if let inline = location.urlPassword { OutputRedaction.redactor.register(Secret(inline)) }
    guard let password = configuration.statePassword else { return StateConnection(database: database, password: nil) }
    do {
      let secret = try await SecretResolver(environment: environment).resolveIfReference(password.exposed)
      OutputRedaction.redactor.register(secret)
      return StateConnection(database: database, password: secret.exposed)
    } catch {
      throw ServiceRunError("\(configuration.file): state.password: \(error)")
    }
  }

  /// The embedded simulator, started for the service's life when a tenant names no vRA.
  private static func withSimulatorIfNeeded(
    _ configuration: ServeConfiguration, stateDirectory: URL, logger: Logger,
    _ body: (EmbeddedSimulator?) async throws -> Void
  ) async throws {
    guard configuration.tenants.contains(where: { $0.vra == nil }) else { return try await body(nil) }
    try await EmbeddedSimulator.with(stateDirectory: stateDirectory, notice: { logger.notice("\($0)") }) {
      try await body($0)
    }
  }

  private static func serverBuilder(_ tls: ServeConfiguration.TLS?) throws -> HTTPServerBuilder {
    guard let tls else { return .http1() }
    let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
    let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
    var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
    if let clientCA = tls.clientCA {
      // Mutual TLS: only clients with a certificate from this CA get as far as authentication.
      configuration.trustRoots = .file(clientCA)
      configuration.certificateVerification = .noHostnameVerification
    }
    return try .tls(.http1(), tlsConfiguration: configuration)
  }
}

/// The group, known once made, for the `onServerRunning` callback made before it.
private final class ServiceGroupBox: @unchecked Sendable {
  // Written once before the group runs, read after the server listens (inside `group.run()`).
  var group: ServiceGroup?
}
