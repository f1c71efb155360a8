import Engine
import Foundation
import Logging
import RunState
import VRAModels

/// Shares deployment tracking between the `serve` replicas of one PostgreSQL database, so vRA sees
/// one tracker loop per scope (tenant, endpoint, org, project) however many replicas wait on it.
///
/// - **Watches**: every local wait is a row of `tracker_watches` (scope, deployment, request,
///   this replica), its refresh time moved forward every `renewInterval` while it lasts (rows
///   not refreshed for `staleAfter` belong to a dead replica and are swept) and deleted when the
///   wait ends.
/// - **Leases**: a replica with waiters in a scope takes the scope's tracker lease when it is free
///   or expired (`acquireTrackerLease`: one conditional upsert, so one holder), renews it every
///   `renewInterval` and loses it only by not renewing for `leaseDuration` (dead or stalled). The
///   holder (the leader) follows every watch row of the scope, its own and other replicas', with
///   its local `DeploymentTracker`, and publishes each update into `tracker_observations`, fenced
///   by its lease epoch; it frees the lease when no replica waits in the scope any more.
/// - **Waiters** on every replica (the leader's too) read the observations of their keys every
///   `observationPoll` (one indexed query per scope), and the leader hands what it publishes to
///   its own waiters at once. A waiter ends on a final update (`TrackedUpdate.isFinal`), its
///   timeout, or cancellation.
///
/// `run()` holds every loop as a child task. Cancelling it (a crash, as tests make one) leaves the
/// rows behind for the lease to expire and the sweep to clear; `stop()` (graceful shutdown) ends
/// the waits (`TrackerError.stopped`), frees the leases and deletes this replica's watches.
actor TrackerCoordinator {
  struct Settings: Sendable {
    /// How long a lease lasts unless renewed: the longest a scope goes untracked after its leader dies.
    var leaseDuration: Duration = .seconds(10)
    /// How often the leader renews its leases and every replica re-writes its watch rows.
    var renewInterval: Duration = .seconds(3)
    /// How often a replica with waiters looks whether their scopes' leases are free.
    var leaseCheckInterval: Duration = .seconds(1)
    /// How often waiters read the published observations (the delay a follower adds).
    var observationPoll: Duration = .milliseconds(300)
    /// How often a leader reads the scope's watch rows (new waiters of other replicas).
    var watchRefresh: Duration = .milliseconds(500)
    /// Watch rows not re-written for this long belong to a dead replica and are swept.
    var staleAfter: Duration = .seconds(60)
    var sweepInterval: Duration = .seconds(30)
  }

  /// One local wait.
  private struct Waiter {
    let continuation: AsyncStream<TrackedUpdate>.Continuation
    var last: TrackedUpdate?
    var finished = false
  }

  /// A scope this replica waits in or leads.
  private struct Scope {
    /// The tracker that follows the scope's watches while this replica leads it.
    var tracker: DeploymentTracker
    var projectId: String
    var lease: TrackerLease?
    var renewedAt: ContinuousClock.Instant = .now
    /// Watch rows of any replica, as the leader last read them (nil: not read yet).
    var remoteWatches: Int?
  }

  private struct LeadStart: Sendable {
    var scopeKey: String
    var projectId: String
    var tracker: DeploymentTracker
    var lease: TrackerLease
  }

  let store: SQLStateStore
  let replicaId: String
  let settings: Settings
  let logger: Logger
  private var waiters: [TrackerWatchKey: [UInt64: Waiter]] = [:]
  private var scopes: [String: Scope] = [:]
  /// The keys the leader follows with its tracker, each with what stops it.
  private var follows: [TrackerWatchKey: (token: UInt64, epoch: Int64, stop: AsyncStream<Void>.Continuation)] = [:]
  private var nextWaiterId: UInt64 = 0
  private var stopped = false
  private nonisolated let leadStarts: AsyncStream<LeadStart>
  private nonisolated let leadStartsContinuation: AsyncStream<LeadStart>.Continuation
  /// What this replica did, for tests and metrics.
  private(set) var statistics = Statistics()

  struct Statistics: Sendable, Equatable {
    var leasesTaken = 0
    var leasesLost = 0
    var published = 0
    var observationReads = 0
  }

  init(store: SQLStateStore, settings: Settings = Settings(), logger: Logger) {
    self.store = store
    self.replicaId = store.owner.id
    self.settings = settings
    self.logger = logger
    (leadStarts, leadStartsContinuation) = AsyncStream.makeStream()
  }

  /// The scope key of a project tracked with a tenant's vRA settings.
  static func scopeKey(tenantScope: String, projectId: String) -> String { "\(tenantScope)#\(projectId)" }

  // MARK: - Waiting

  /// Waits for the request's final update through whichever replica tracks the scope, handing
  /// every update to `progress`. Throws `TrackerError.timedOut` when `timeout` passes first,
  /// `.stopped` on shutdown, and `CancellationError` as soon as the calling task is cancelled.
  nonisolated func waitForEnd(
    scopeKey: String, tracker: DeploymentTracker, deploymentId: String, projectId: String, requestId: String?,
    runId: String? = nil, timeout: Duration?, progress: @escaping @Sendable (TrackedUpdate) -> Void
  ) async throws -> TrackedUpdate {
    try Task.checkCancellation()
    let key = TrackerWatchKey(scopeKey: scopeKey, deploymentId: deploymentId, requestId: requestId)
    try await store.registerTrackerWatch(key, replicaId: replicaId, runId: runId)
    guard let (waiterId, stream) = await addWaiter(key, tracker: tracker, projectId: projectId) else {
      try? await removeWatchIfUnwaited(key)
      throw TrackerError.stopped(deploymentId: deploymentId)
    }
    let result: Result<TrackedUpdate, any Error>
    do {
      result = .success(
        try await withThrowingTaskGroup(of: TrackedUpdate.self) { group in
          group.addTask {
            for await update in stream {
              progress(update)
              if update.isFinal { return update }
            }
            try Task.checkCancellation()
            throw TrackerError.stopped(deploymentId: deploymentId)
          }
          if let timeout {
            group.addTask {
              try await Task.sleep(for: timeout)
              throw TrackerError.timedOut(deploymentId: deploymentId, after: timeout)
            }
          }
          defer { group.cancelAll() }
          guard let update = try await group.next() else { throw TrackerError.stopped(deploymentId: deploymentId) }
          return update
        })
    } catch {
      result = .failure(error)
    }
    if await removeWaiter(waiterId, of: key) {
      do {
        try await removeWatchIfUnwaited(key)
      } catch {
        // The sweep removes it once this replica stops re-writing it.
        logger.warning("cannot remove a tracker watch", metadata: ["error": "\(error)", "watch": "\(key)"])
      }
    }
    return try result.get()
  }

  private func addWaiter(
    _ key: TrackerWatchKey, tracker: DeploymentTracker, projectId: String
  ) -> (UInt64, AsyncStream<TrackedUpdate>)? {
    guard !stopped else { return nil }
    let (stream, continuation) = AsyncStream.makeStream(of: TrackedUpdate.self)
    let id = nextWaiterId
    nextWaiterId += 1
    waiters[key, default: [:]][id] = Waiter(continuation: continuation)
    if scopes[key.scopeKey] == nil {
      scopes[key.scopeKey] = Scope(tracker: tracker, projectId: projectId)
    } else if scopes[key.scopeKey]?.lease == nil {
      // The newest tracker of the scope (a hot reload may have replaced the tenant's).
      scopes[key.scopeKey]?.tracker = tracker
    }
    return (id, stream)
  }

  /// Returns true when it was the key's last local waiter (its watch row is to go).
  private func removeWaiter(_ id: UInt64, of key: TrackerWatchKey) -> Bool {
    guard let waiter = waiters[key]?.removeValue(forKey: id) else { return false }
    waiter.continuation.finish()
    guard waiters[key]?.isEmpty == true else { return false }
    waiters[key] = nil
    if scopes[key.scopeKey]?.lease == nil, !waiters.keys.contains(where: { $0.scopeKey == key.scopeKey }) {
      scopes[key.scopeKey] = nil
    }
    return true
  }

  /// Deletes this replica's watch row of `key` unless a new local waiter came meanwhile.
  private func removeWatchIfUnwaited(_ key: TrackerWatchKey) async throws {
    guard waiters[key] == nil else { return }
    try await store.removeTrackerWatch(key, replicaId: replicaId)
    // A waiter of the key that came during the delete may have had its row deleted: write it again.
    if waiters[key] != nil { try await store.registerTrackerWatch(key, replicaId: replicaId, runId: nil) }
  }

  /// Hands `update` to the key's waiters that have not seen it; a final one ends them.
  private func deliver(_ update: TrackedUpdate, to key: TrackerWatchKey) {
    guard var keyed = waiters[key] else { return }
    for (id, var waiter) in keyed where !waiter.finished {
      if let last = waiter.last, !update.isFinal, Self.sameProgress(last, update) { continue }
      waiter.continuation.yield(update)
      waiter.last = update
      if update.isFinal {
        waiter.finished = true
        waiter.continuation.finish()
      }
      keyed[id] = waiter
    }
    waiters[key] = keyed
  }

  private static func sameProgress(_ a: TrackedUpdate, _ b: TrackedUpdate) -> Bool {
    a.kind == b.kind && a.requestId == b.requestId && a.status == b.status && a.completedTasks == b.completedTasks
      && a.totalTasks == b.totalTasks && a.details == b.details
  }

  // MARK: - The loops

  /// Runs the lease, observation and leader loops until `stop()` (then cleans up) or cancellation
  /// (then leaves everything for the lease expiry and the sweep, as a crash would).
  func run() async {
    await withDiscardingTaskGroup { group in
      group.addTask { await self.leaseLoop() }
      group.addTask { await self.observationLoop() }
      for await start in leadStarts {
        group.addTask { await self.lead(start) }
      }
      group.cancelAll()
    }
    guard !Task.isCancelled else { return }
    await cleanUp()
  }

  /// Ends every wait (`TrackerError.stopped`) and the loops; `run()` then frees this replica's
  /// leases and deletes its watch rows.
  func stop() {
    stopped = true
    leadStartsContinuation.finish()
    for waiter in waiters.values.flatMap(\.values) { waiter.continuation.finish() }
  }

  private func cleanUp() async {
    let held = scopes.values.compactMap(\.lease)
    for scopeKey in scopes.keys { scopes[scopeKey]?.lease = nil }
    for lease in held { try? await store.releaseTrackerLease(lease) }
    do {
      try await store.removeTrackerWatches(replicaId: replicaId)
    } catch {
      logger.warning("cannot remove this replica's tracker watches", metadata: ["error": "\(error)"])
    }
  }

  private var isRunning: Bool { !stopped && !Task.isCancelled }

  private func leaseLoop() async {
    var lastRefresh = ContinuousClock.now
    var lastSweep = ContinuousClock.now
    while isRunning {
      for scopeKey in scopes.keys.sorted() { await lookAfter(scopeKey) }
      if ContinuousClock.now - lastRefresh >= settings.renewInterval {
        lastRefresh = .now
        await refreshWatches()
      }
      if ContinuousClock.now - lastSweep >= settings.sweepInterval {
        lastSweep = .now
        do {
          let swept = try await store.sweepTrackerState(staleAfter: settings.staleAfter)
          if swept.watches > 0 {
            logger.info(
              "swept the tracker watches of replicas gone", metadata: ["tracker.swept_watches": "\(swept.watches)"])
          }
        } catch {
          logger.warning("cannot sweep tracker state", metadata: ["error": "\(error)"])
        }
      }
      try? await Task.sleep(for: settings.leaseCheckInterval)
    }
  }

  /// Renews, frees or takes the lease of one scope.
  private func lookAfter(_ scopeKey: String) async {
    guard let scope = scopes[scopeKey], isRunning else { return }
    let hasLocalWaiters = waiters.keys.contains { $0.scopeKey == scopeKey }
    if let lease = scope.lease {
      if !hasLocalWaiters, scope.remoteWatches == 0 {
        // Nobody waits in the scope any more: free it (a newcomer takes it at its next look).
        scopes[scopeKey] = nil
        try? await store.releaseTrackerLease(lease)
        return
      }
      guard ContinuousClock.now - scope.renewedAt >= settings.renewInterval else { return }
      do {
        if let renewed = try await store.renewTrackerLease(lease, duration: settings.leaseDuration) {
          guard scopes[scopeKey]?.lease?.epoch == lease.epoch else { return }
          scopes[scopeKey]?.lease = renewed
          scopes[scopeKey]?.renewedAt = .now
        } else {
          lost(scopeKey, lease)
        }
      } catch {
        logger.warning("cannot renew a tracker lease", metadata: ["tracker.scope": "\(scopeKey)", "error": "\(error)"])
      }
      return
    }
    guard hasLocalWaiters else {
      scopes[scopeKey] = nil
      return
    }
    do {
      if let current = try await store.trackerLease(scopeKey: scopeKey), current.ownerId != replicaId,
        current.expiresAt > Date()
      {
        return  // someone else's and live, as far as this clock can tell; the conditional write decides anyway
      }
      guard let lease = try await store.acquireTrackerLease(scopeKey: scopeKey, duration: settings.leaseDuration)
      else { return }
      guard isRunning, var scope = scopes[scopeKey] else {
        try? await store.releaseTrackerLease(lease)
        return
      }
      scope.lease = lease
      scope.renewedAt = .now
      scope.remoteWatches = nil
      scopes[scopeKey] = scope
      statistics.leasesTaken += 1
      logger.info(
        "tracking a scope for every replica",
        metadata: ["tracker.scope": "\(scopeKey)", "tracker.epoch": "\(lease.epoch)"])
      leadStartsContinuation.yield(
        LeadStart(scopeKey: scopeKey, projectId: scope.projectId, tracker: scope.tracker, lease: lease))
    } catch {
      logger.warning("cannot take a tracker lease", metadata: ["tracker.scope": "\(scopeKey)", "error": "\(error)"])
    }
  }

  private func lost(_ scopeKey: String, _ lease: TrackerLease) {
    guard scopes[scopeKey]?.lease?.epoch == lease.epoch else { return }
    scopes[scopeKey]?.lease = nil
    statistics.leasesLost += 1
    logger.notice(
      "lost a tracker lease; another replica tracks the scope now",
      metadata: ["tracker.scope": "\(scopeKey)", "tracker.epoch": "\(lease.epoch)"])
    if !waiters.keys.contains(where: { $0.scopeKey == scopeKey }) { scopes[scopeKey] = nil }
  }

  /// Moves this replica's watch rows' refresh time forward (one statement), so the sweep keeps them.
  private func refreshWatches() async {
    guard !waiters.isEmpty else { return }
    do {
      try await store.refreshTrackerWatches(replicaId: replicaId)
    } catch {
      logger.warning("cannot refresh tracker watches", metadata: ["error": "\(error)"])
    }
  }

  /// Reads the published observations of every local waiter's key, scope by scope.
  private func observationLoop() async {
    while isRunning {
      var byScope: [String: Set<String>] = [:]
      for key in waiters.keys { byScope[key.scopeKey, default: []].insert(key.deploymentId) }
      for (scopeKey, deploymentIds) in byScope.sorted(by: { $0.key < $1.key }) {
        do {
          let observations = try await store.trackerObservations(
            scopeKey: scopeKey, deploymentIds: deploymentIds.sorted())
          statistics.observationReads += 1
          for observation in observations where waiters[observation.key] != nil {
            guard let update = Self.decode(observation.update) else {
              logger.warning("unreadable tracker observation", metadata: ["watch": "\(observation.key)"])
              continue
            }
            deliver(update, to: observation.key)
          }
        } catch {
          logger.warning("cannot read tracker observations", metadata: ["error": "\(error)"])
        }
      }
      try? await Task.sleep(for: settings.observationPoll)
    }
  }

  // MARK: - Leading a scope

  /// While this replica holds `start.lease`: follows every watch row of the scope with the local
  /// tracker and publishes each update.
  private nonisolated func lead(_ start: LeadStart) async {
    await withDiscardingTaskGroup { group in
      while await isLeading(start.scopeKey, epoch: start.lease.epoch) {
        do {
          let rows = try await store.trackerWatches(scopeKey: start.scopeKey)
          let finals = Set(
            try await store.trackerObservations(scopeKey: start.scopeKey).filter(\.isFinal).map(\.key))
          let wanted = Set(rows.map(\.key)).subtracting(finals)
          for (key, token, stop) in await followsToStart(start.lease, watches: rows.count, wanted: wanted) {
            group.addTask { await self.follow(key, token: token, start: start, until: stop) }
          }
        } catch {
          logger.warning(
            "cannot read a scope's tracker watches",
            metadata: ["tracker.scope": "\(start.scopeKey)", "error": "\(error)"])
        }
        try? await Task.sleep(for: settings.watchRefresh)
      }
      group.cancelAll()
    }
    await endFollows(of: start.lease)
  }

  private func isLeading(_ scopeKey: String, epoch: Int64) -> Bool {
    isRunning && scopes[scopeKey]?.lease?.epoch == epoch
  }

  /// Records what the leader read; returns the follows to start (keys wanted and not followed) and
  /// stops those no longer wanted (their waiters ended, or the update is final).
  private func followsToStart(
    _ lease: TrackerLease, watches: Int, wanted: Set<TrackerWatchKey>
  ) -> [(TrackerWatchKey, UInt64, AsyncStream<Void>)] {
    guard isLeading(lease.scopeKey, epoch: lease.epoch) else { return [] }
    scopes[lease.scopeKey]?.remoteWatches = watches
    var started: [(TrackerWatchKey, UInt64, AsyncStream<Void>)] = []
    for (key, follow) in follows where key.scopeKey == lease.scopeKey {
      // Followed under an older lease of this replica, or no longer wanted.
      guard follow.epoch != lease.epoch || !wanted.contains(key) else { continue }
      follow.stop.finish()
      follows[key] = nil
    }
    for key in wanted.sorted() where follows[key] == nil {
      let (stop, continuation) = AsyncStream.makeStream(of: Void.self)
      let token = nextWaiterId
      nextWaiterId += 1
      follows[key] = (token, lease.epoch, continuation)
      started.append((key, token, stop))
    }
    return started
  }

  private func followEnded(_ key: TrackerWatchKey, token: UInt64) {
    if follows[key]?.token == token { follows[key] = nil }
  }

  private func endFollows(of lease: TrackerLease) {
    for (key, follow) in follows where key.scopeKey == lease.scopeKey && follow.epoch == lease.epoch {
      follow.stop.finish()
      follows[key] = nil
    }
  }

  /// Follows one watch key with the local tracker, publishing every update, until it is final,
  /// `stop` ends, or the lead ends. A key whose final update could not be published is followed
  /// again at the leader's next read.
  private nonisolated func follow(
    _ key: TrackerWatchKey, token: UInt64, start: LeadStart, until stop: AsyncStream<Void>
  ) async {
    let updates = await start.tracker.updates(
      deploymentId: key.deploymentId, projectId: start.projectId, requestId: key.followedRequestId)
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        for await update in updates {
          guard await self.publish(update, for: key, under: start.lease) else { return }
          if update.isFinal { return }
        }
      }
      group.addTask {
        for await _ in stop {}
      }
      _ = await group.next()
      group.cancelAll()
    }
    await followEnded(key, token: token)
  }

  /// Publishes (fenced by the lease) and hands the update to local waiters; false when the lease is lost.
  private func publish(_ update: TrackedUpdate, for key: TrackerWatchKey, under lease: TrackerLease) async -> Bool {
    let text: String
    do {
      text = String(decoding: try VRAJSON.makeEncoder().encode(update), as: UTF8.self)
    } catch {
      logger.error("cannot encode a tracked update", metadata: ["error": "\(error)"])
      return true
    }
    do {
      let published = try await store.publishTrackerObservation(
        key, kind: update.kind.rawValue, isFinal: update.isFinal, update: text, under: lease)
      guard published else {
        lost(key.scopeKey, lease)
        return false
      }
      statistics.published += 1
    } catch {
      // Followers miss this one; a final update is followed and published again (see `follow`).
      logger.warning("cannot publish a tracked update", metadata: ["watch": "\(key)", "error": "\(error)"])
      deliver(update, to: key)
      return !update.isFinal
    }
    deliver(update, to: key)
    return true
  }

  static func decode(_ text: String) -> TrackedUpdate? {
    try? VRAJSON.makeDecoder().decode(TrackedUpdate.self, from: Data(text.utf8))
  }
}
