import Engine
import EngineRuntime
import Foundation
import Logging
import RunState
import Secrets
import ServiceLifecycle
import VRAClient

/// The service's deployment trackers: one per tenant (per tenant vRA settings: a hot reload that
/// changes them gets a fresh tracker, the old one ends when its last wait does), shared by every run
/// and destroy of the tenant, so N runs in one project cost one list call per tick, not N.
///
/// Each tracker lives in a child task of `run()` (`DeploymentTracker.with`), with a client made as
/// a run's session makes it (the tenant's endpoint and credentials, references resolved; the
/// embedded simulator for a tenant with no `vra:`). When the store is shared by replicas
/// (PostgreSQL), waits on a tenant's vRA go through the `TrackerCoordinator`, so one replica
/// tracks each (tenant, endpoint, org, project) for all of them; the embedded simulator is each
/// replica's own, so its tenants are always tracked locally.
actor TenantTrackers: Service {
  /// What a tracker is made from: a tenant's vRA settings (nil: the embedded simulator).
  struct Key: Hashable, Sendable {
    var tenant: String
    var vra: TenantEndpoint?

    init(_ tenant: TenantConfiguration) {
      self.tenant = tenant.name
      self.vra = tenant.vra
    }

    /// The tenant's part of a coordinated scope key: who asks (the tenant, so its credentials'
    /// view), and which vRA and org. Credentials themselves never appear.
    var scope: String? {
      guard let vra else { return nil }
      return "\(tenant)@\(vra.url.absoluteString)|\(vra.org ?? "")"
    }
  }

  private struct Slot {
    var tracker: DeploymentTracker?
    var waitingForStart: [CheckedContinuation<DeploymentTracker, any Error>] = []
    var activeWaits = 0
    /// Ends the tracker's task (finished when the slot retires).
    var retire: AsyncStream<Void>.Continuation
  }

  private struct Start: Sendable {
    var key: Key
    var tenant: TenantConfiguration
    var retired: AsyncStream<Void>
  }

  let sessions: TenantSessions
  let coordinator: TrackerCoordinator?
  let logger: Logger
  private var slots: [Key: Slot] = [:]
  /// Each tenant's settings as last asked for: its other trackers end when nobody waits on them.
  private var current: [String: Key] = [:]
  private var stopping = false
  private nonisolated let starts: AsyncStream<Start>
  private nonisolated let startsContinuation: AsyncStream<Start>.Continuation

  /// - Parameter coordinator: the cross-replica coordination (a shared store); nil tracks locally.
  init(sessions: TenantSessions, coordinator: TrackerCoordinator?, logger: Logger) {
    self.sessions = sessions
    self.coordinator = coordinator
    self.logger = logger
    (starts, startsContinuation) = AsyncStream.makeStream()
  }

  /// Coordinated with the other replicas when `store` is shared by them (PostgreSQL).
  init(store: SQLStateStore, sessions: TenantSessions, logger: Logger) {
    let coordinator = store.isSharedAcrossHosts ? TrackerCoordinator(store: store, logger: logger) : nil
    self.init(sessions: sessions, coordinator: coordinator, logger: logger)
  }

  // MARK: The service

  func run() async throws {
    await withGracefulShutdownHandler {
      await withDiscardingTaskGroup { group in
        if let coordinator { group.addTask { await coordinator.run() } }
        for await start in starts {
          group.addTask { await self.host(start) }
        }
      }
    } onGracefulShutdown: {
      Task { await self.stop() }
    }
  }

  /// Ends every wait (`TrackerError.stopped`) and every tracker. Runs are handed back before this
  /// service stops (it is first in the group, so last to shut down).
  private func stop() async {
    stopping = true
    startsContinuation.finish()
    for (key, slot) in slots {
      slot.retire.finish()
      for waiting in slot.waitingForStart { waiting.resume(throwing: TrackerError.stopped(deploymentId: "")) }
      slots[key]?.waitingForStart = []
    }
    await coordinator?.stop()
  }

  // MARK: Waiting

  /// What a run or destroy of `tenant` waits through.
  nonisolated func tracking(for tenant: TenantConfiguration, run: RunID? = nil) -> any RequestTracking {
    TenantTracking(trackers: self, tenant: tenant, runId: run?.rawValue)
  }

  nonisolated func waitForEnd(
    tenant: TenantConfiguration, runId: String?, deploymentId: String, projectId: String, requestId: String?,
    timeout: Duration?, progress: @escaping @Sendable (TrackedUpdate) -> Void
  ) async throws -> TrackedUpdate {
    try Task.checkCancellation()
    let key = Key(tenant)
    let tracker = try await acquire(key, tenant: tenant, deploymentId: deploymentId)
    do {
      let end: TrackedUpdate
      if let coordinator, let scope = key.scope {
        end = try await coordinator.waitForEnd(
          scopeKey: TrackerCoordinator.scopeKey(tenantScope: scope, projectId: projectId), tracker: tracker,
          deploymentId: deploymentId, projectId: projectId, requestId: requestId, runId: runId, timeout: timeout,
          progress: progress)
      } else {
        end = try await tracker.lastUpdate(
          deploymentId: deploymentId, projectId: projectId, requestId: requestId, timeout: timeout, onUpdate: progress)
      }
      await release(key)
      return end
    } catch {
      await release(key)
      throw error
    }
  }

  /// The tenant's tracker, started on first use; counts a wait on it.
  private func acquire(
    _ key: Key, tenant: TenantConfiguration, deploymentId: String
  ) async throws
    -> DeploymentTracker
  {
    guard !stopping else { throw TrackerError.stopped(deploymentId: deploymentId) }
    if current[key.tenant] != key {
      current[key.tenant] = key
      for old in slots.keys where old.tenant == key.tenant && old != key { retireIfReplaced(old) }
    }
    if slots[key] == nil {
      let (retired, retire) = AsyncStream.makeStream(of: Void.self)
      slots[key] = Slot(retire: retire)
      startsContinuation.yield(Start(key: key, tenant: tenant, retired: retired))
    }
    slots[key]?.activeWaits += 1
    if let tracker = slots[key]?.tracker { return tracker }
    do {
      return try await withCheckedThrowingContinuation { slots[key]?.waitingForStart.append($0) }
    } catch {
      slots[key]?.activeWaits -= 1
      throw error
    }
  }

  private func release(_ key: Key) {
    slots[key]?.activeWaits -= 1
    retireIfReplaced(key)
  }

  /// A tenant whose vRA settings changed: its old trackers end once nobody waits on them.
  private func retireIfReplaced(_ key: Key) {
    guard current[key.tenant] != key, let slot = slots[key], slot.activeWaits <= 0, slot.tracker != nil else {
      return
    }
    slot.retire.finish()
    slots[key] = nil
    logger.info("retired the tracker of a tenant whose vRA settings changed", metadata: ["tenant": "\(key.tenant)"])
  }

  private func started(_ key: Key, _ tracker: DeploymentTracker) {
    guard var slot = slots[key] else { return }
    slot.tracker = tracker
    for waiting in slot.waitingForStart { waiting.resume(returning: tracker) }
    slot.waitingForStart = []
    slots[key] = slot
  }

  private func failed(_ key: Key, _ error: any Error) {
    guard let slot = slots[key] else { return }
    slots[key] = nil  // the next wait tries again
    for waiting in slot.waitingForStart { waiting.resume(throwing: error) }
  }

  /// Trackers running now (tests).
  var trackerCount: Int { slots.values.filter { $0.tracker != nil }.count }

  /// The tracker waits of `tenant` go through now, if it runs (tests).
  func tracker(for tenant: TenantConfiguration) -> DeploymentTracker? { slots[Key(tenant)]?.tracker }

  // MARK: One tenant's tracker

  private nonisolated func host(_ start: Start) async {
    do {
      let (client, configuration) = try await makeClient(for: start.tenant)
      try await DeploymentTracker.with(client: client, configuration: configuration) { tracker in
        await started(start.key, tracker)
        for await _ in start.retired {}
      }
    } catch {
      logger.error(
        "cannot track the deployments of a tenant", metadata: ["tenant": "\(start.key.tenant)", "error": "\(error)"])
      await failed(start.key, error)
    }
  }

  /// The tenant's client, made as a run's session makes it: its endpoint and credentials (references
  /// read with a resolver of the service's environment), or the service's embedded simulator.
  private nonisolated func makeClient(
    for tenant: TenantConfiguration
  ) async throws -> (
    VRAClient, TrackerConfiguration
  ) {
    let configuration = sessions.configuration(for: tenant)
    OutputRedaction.registerCredentials(from: configuration.resolved)
    var settings: EndpointSettings
    let embedded: Bool
    if let resolved = try EndpointSettings.resolve(from: configuration.resolved) {
      let resolver = SecretResolver(environment: try await configuration.secretEnvironment())
      settings = try await resolved.resolvingSecretReferences(with: resolver)
      embedded = false
    } else if let simulator = sessions.simulator {
      settings = simulator.settings
      embedded = true
    } else {
      throw ServiceRunError("tenant \(tenant.name) names no vRA and the service runs no embedded simulator")
    }
    var clientConfiguration = settings.clientConfiguration()
    clientConfiguration.redactor = OutputRedaction.redactor
    var trackerConfiguration = configuration.trackerConfiguration(embedded: embedded)
    trackerConfiguration.logger = logger
    return (try VRAClient(configuration: clientConfiguration), trackerConfiguration)
  }
}

/// A run's or destroy's `RequestTracking`: its tenant's shared tracker.
struct TenantTracking: RequestTracking {
  let trackers: TenantTrackers
  let tenant: TenantConfiguration
  let runId: String?

  func waitForEnd(
    deploymentId: String, projectId: String, requestId: String?, timeout: Duration?,
    progress: @escaping @Sendable (TrackedUpdate) -> Void
  ) async throws -> TrackedUpdate {
    try await trackers.waitForEnd(
      tenant: tenant, runId: runId, deploymentId: deploymentId, projectId: projectId, requestId: requestId,
      timeout: timeout, progress: progress)
  }
}
