import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import VRAModels

/// A running vRA 8 simulator: start it in-process (tests use port 0 and read `port`),
/// talk to it over real HTTP(S), stop it when done.
public final class SimulatorServer: Sendable {
  public let port: Int
  public let host: String
  public let isTLS: Bool
  let services: SimulatorServices
  private let server: BackgroundServer
  private let persistTask: Task<Void, Never>?
  private let writer: SnapshotWriter?

  /// `http(s)://host:port`, no trailing slash.
  public var baseURL: String { "\(isTLS ? "https" : "http")://\(host):\(port)" }

  private init(
    server: BackgroundServer, host: String, isTLS: Bool, services: SimulatorServices,
    persistTask: Task<Void, Never>?, writer: SnapshotWriter?
  ) {
    self.port = server.port
    self.host = host
    self.isTLS = isTLS
    self.services = services
    self.server = server
    self.persistTask = persistTask
    self.writer = writer
  }

  /// Binds, starts serving, and returns once the port is known. `responseObserver`, when given, sees
  /// every answer before it is sent (tests use it to check each body against the specs).
  public static func start(
    configuration: SimulatorConfiguration, logger: Logger? = nil, responseObserver: ResponseObserver? = nil
  ) async throws
    -> SimulatorServer
  {
    let logger = logger ?? Logger(label: "vra-simulator")
    let snapshot = try configuration.stateFile.flatMap { try SimulatorSnapshot.load(from: $0) }
    let state = SimulatorState(configuration: configuration)
    if let snapshot { await state.restore(snapshot) }
    let services = SimulatorServices(
      state: state, stats: SimulatorStats(),
      tokens: TokenService(settings: configuration.tokens, snapshot: snapshot?.tokens))

    let isTLS = configuration.tls != nil
    // A fixed port is known before binding: a machine provisioned by a call that races the start
    // still gets its health URL.
    if configuration.port != 0 {
      await state.setAppURLs(AppURLs(host: configuration.host, port: configuration.port, tls: isTLS))
    }
    let writer = configuration.stateFile.map { SnapshotWriter(services: services, file: $0, logger: logger) }
    let router = SimulatorRouter.make(services: services, writer: writer, observer: responseObserver)
    let http1 = HTTPServerBuilder.http1(
      configuration: .init(additionalChannelHandlers: [ConnectionDropHandler()], idleTimeout: .seconds(60)))
    let server: HTTPServerBuilder
    if let tls = configuration.tls {
      server = try HTTPServerBuilder.tls(http1, tlsConfiguration: try SimulatorTLS.serverConfiguration(tls))
    } else {
      server = http1
    }
    let running: BackgroundServer
    do {
      running = try await BackgroundServer.start(
        router: router, server: server, host: configuration.host, port: configuration.port,
        serverName: "vra-simulator", logger: logger)
    } catch let error as BackgroundServer.NotListening {
      // Why it stopped (e.g. the address is in use), when it said.
      if let cause = error.cause { throw cause }
      throw SimulatorConfigurationError(file: "", message: "the simulator stopped before it started listening")
    }
    await state.setAppURLs(AppURLs(host: configuration.host, port: running.port, tls: isTLS))
    let persistTask = writer.map { writer in Task { await Self.persistLoop(writer) } }
    return SimulatorServer(
      server: running, host: configuration.host, isTLS: isTLS, services: services,
      persistTask: persistTask, writer: writer)
  }

  /// Stops serving and, with `--state`, writes the final state.
  public func stop() async {
    persistTask?.cancel()
    await persistTask?.value
    await server.stop()
    try? await writer?.save()
  }

  /// Runs until the server stops (the CLI waits on this).
  public func waitUntilStopped() async throws {
    try await server.waitUntilStopped()
  }

  /// Saves what changed without a request (statuses advanced by time) every 200 ms.
  private static func persistLoop(_ writer: SnapshotWriter) async {
    while !Task.isCancelled {
      await writer.saveIfChanged()
      try? await Task.sleep(for: .milliseconds(200))
    }
  }

  // MARK: - Controls for tests and benchmarks (the same as `/_sim/...`)

  public func stats() async -> SimulatorStatsSnapshot { await services.snapshot() }
  public func recentCalls() async -> [RecordedCall] { await services.stats.recentCalls() }
  public func addFault(_ rule: FaultRule) async throws { try await services.state.addFaultRule(rule) }
  /// The configured fault rules in order, each with the uses it has left.
  public func faultRules() async -> [FaultRule] { await services.state.faultRules }
  public func clearFaults() async { await services.state.clearFaultRules() }
  /// Makes updates of deployments whose names match fail (`faults.failUpdates`); faults must be enabled.
  public func setFailUpdates(_ patterns: [String]) async throws { try await services.state.setFailUpdates(patterns) }
  /// Makes the health URLs of deployments whose names match answer 500 `unhealthy` once provisioned
  /// (`faults.unhealthyApps`, `PUT /_sim/faults/unhealthy-apps`); `[]` heals them. Faults must be enabled.
  public func setUnhealthyApps(_ patterns: [String]) async throws {
    try await services.state.setUnhealthyApps(patterns)
  }
  public func unhealthyApps() async -> [String] { await services.state.unhealthyApps }
  /// Where machines' health URLs point (`http(s)://host:port` as a client reaches this server).
  public var appURLs: AppURLs { AppURLs(host: host, port: port, tls: isTLS) }
  /// The `healthUrl` a machine named `resourceName` (`web`, `web[1]`) of a deployment has.
  public func healthURL(deploymentId: String, resourceName: String) -> String {
    appURLs.url(deploymentId: deploymentId, resourceName: resourceName)
  }
  /// Replaces the approval policies in force (`PUT /_sim/approval-policies`); `[]` turns approvals off.
  public func setApprovalPolicies(_ policies: [ApprovalPolicy]) async throws {
    try await services.state.setApprovalPolicies(policies)
  }
  public func approvalPolicies() async -> [ApprovalPolicy] { await services.state.approvalPolicies }
  /// The approvals asked for so far, oldest first (`GET /_sim/approvals`); `status` filters.
  public func approvals(status: SimulatorApproval.Status? = nil) async -> [SimulatorApproval] {
    await services.state.advance()
    return await services.state.listApprovals(status: status)
  }
  /// Approves a pending approval: its request carries on (`approvedAt` set). Throws for an unknown or
  /// already decided approval.
  @discardableResult public func approve(
    _ id: String, reason: String? = nil, by approver: String? = nil
  )
    async throws -> SimulatorApproval
  {
    try await services.state.decide(id, approve: true, by: approver, reason: reason)
  }
  /// Rejects a pending approval: its request ends APPROVAL_REJECTED, `details` naming the approver and reason.
  @discardableResult public func reject(
    _ id: String, reason: String? = nil, by approver: String? = nil
  )
    async throws -> SimulatorApproval
  {
    try await services.state.decide(id, approve: false, by: approver, reason: reason)
  }
  @discardableResult public func revoke(refreshToken: String) async -> Bool {
    await services.tokens.revoke(refreshToken: refreshToken)
  }
  @discardableResult public func revokeAll(user: String) async -> Int { await services.tokens.revokeAll(user: user) }
  public func reset() async {
    await services.state.reset()
    await services.stats.reset()
    await services.tokens.reset()
  }
}
