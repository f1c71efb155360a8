import Foundation
import Logging
import VRAClient
import VRAModels

/// One tick of a project loop: the delta list, then the fallbacks it calls for.
extension DeploymentTracker {
  /// Returns whether anything watched changed, whether the project's list answered, and how many
  /// API calls the tick made.
  func tick(_ projectId: String, polledAt: Date) async -> (changed: Bool, listed: Bool, calls: Int) {
    guard projects[projectId] != nil else { return (false, false, 0) }
    projects[projectId]?.tick += 1
    let tick = projects[projectId]?.tick ?? 0
    statistics.ticks += 1
    var calls = 0
    var changed = false
    var listed = false

    // 1. Everything in the project that changed since the watermark: one call per 1,000 changes.
    let from = (watermarks[projectId] ?? Watermark(overlap: configuration.watermarkOverlap)).lowerBound
    let serverTimeBefore = client.lastServerTime
    do {
      let answer = try await listing.fetch(projectId: projectId, from: from)
      // Its response time is how early the schedule sends the calls of expected completions.
      projects[projectId]?.schedule.answered(after: Date().timeIntervalSince(polledAt) / Double(answer.calls))
      calls += answer.calls
      count(.list, answer.calls)
      var watermark = watermarks[projectId] ?? Watermark(overlap: configuration.watermarkOverlap)
      watermark.advance(
        seen: answer.deployments.lazy.compactMap(\.lastUpdatedAt), serverTimeBeforeCall: serverTimeBefore)
      watermarks[projectId] = watermark
      for deployment in answer.deployments { changed = observe(deployment, tick: tick) || changed }
      listed = true
    } catch {
      calls += error.calls
      count(.list, error.calls)
      failed(.list, error.underlying, projectId: projectId)
    }

    // 2. Watches the list did not show: never seen after a few ticks, or quiet for `recheckAfter`.
    var stale = staleWatches(projectId, tick: tick)
    if stale.count > configuration.maxLookupsPerTick {
      do {
        let answer = try await listing.fetch(projectId: projectId, from: nil)
        calls += answer.calls
        count(.recheckList, answer.calls)
        for deployment in answer.deployments { changed = observe(deployment, tick: tick) || changed }
      } catch {
        calls += error.calls
        count(.recheckList, error.calls)
        failed(.recheckList, error.underlying, projectId: projectId)
      }
      stale = stale.filter { watches[$0].map { $0.lastSeenTick != tick } ?? false }
    }
    for deploymentId in stale {
      calls += 1
      count(.deployment, 1)
      do {
        let deployment = try await client.deployment(id: deploymentId, expand: [.lastRequest])
        changed = observe(deployment, tick: tick, forceLookup: true) || changed
      } catch let error as VRAError where error.errorClass == .notFound {
        calls += await deploymentGone(deploymentId, projectId: projectId)
        changed = true
      } catch {
        failed(.deployment, error, projectId: projectId)
      }
    }

    // 3. Followed requests that are not their deployment's `lastRequest`.
    for lookup in pendingLookups(projectId) {
      calls += 1
      count(.request, 1)
      do {
        let request = try await client.request(id: lookup.requestId)
        changed = deliver(request, toFollowersOf: lookup) || changed
      } catch let error as VRAError where error.errorClass == .notFound {
        finishFollowers(of: lookup, kind: .requestNotFound)
        changed = true
      } catch {
        failed(.request, error, projectId: projectId)
        markForLookup(lookup)
      }
    }
    return (changed, listed, calls)
  }

  /// vRA answered 404 for a watched deployment. A followed request may still be readable (a
  /// finished delete request outlives its deployment): those are delivered, every other
  /// subscription ends with `.deploymentNotFound`. Returns the API calls made.
  func deploymentGone(_ deploymentId: String, projectId: String) async -> Int {
    let requestIds = Set(watches[deploymentId]?.subscribers.values.compactMap(\.requestId) ?? [])
    var calls = 0
    for requestId in requestIds.sorted() {
      calls += 1
      count(.request, 1)
      let lookup = RequestLookup(deploymentId: deploymentId, requestId: requestId)
      do {
        let request = try await client.request(id: requestId)
        if request.status?.isTerminal == true { _ = deliver(request, toFollowersOf: lookup) }
      } catch let error as VRAError where error.errorClass == .notFound {
        // reported below with the deployment
      } catch {
        failed(.request, error, projectId: projectId)
      }
    }
    finishAll(deploymentId, kind: .deploymentNotFound)
    return calls
  }

  // MARK: - Applying what vRA answered

  /// Records a deployment as seen and tells its subscribers; returns whether it changed.
  func observe(_ deployment: Deployment, tick: Int, forceLookup: Bool = false) -> Bool {
    guard let id = deployment.id, var watch = watches[id] else { return false }
    let previous = watch.latest
    let changed =
      previous == nil || previous?.lastUpdatedAt != deployment.lastUpdatedAt || previous?.status != deployment.status
      || previous?.lastRequest?.id != deployment.lastRequest?.id
      || previous?.lastRequest?.status != deployment.lastRequest?.status
      || previous?.lastRequest?.completedTasks != deployment.lastRequest?.completedTasks
    watch.lastSeenTick = tick
    watch.lastSeenAt = .now
    watch.latest = deployment
    watches[id] = watch
    for subscriberId in watch.subscribers.keys {
      evaluate(subscriberId, of: id, against: deployment, force: forceLookup)
    }
    return changed
  }

  /// Tells one subscriber what `deployment` says about the request it follows, or marks the
  /// request for a lookup by id when the deployment's `lastRequest` is another one.
  func evaluate(_ subscriberId: UInt64, of deploymentId: String, against deployment: Deployment, force: Bool) {
    guard var subscriber = watches[deploymentId]?.subscribers[subscriberId] else { return }
    if subscriber.requestId == nil, let last = deployment.lastRequest?.id {
      subscriber.requestId = last
      watches[deploymentId]?.subscribers[subscriberId] = subscriber
    }
    guard let wanted = subscriber.requestId else { return }
    if let last = deployment.lastRequest, last.id == wanted {
      deliver(last, to: subscriberId, of: deploymentId)
    } else if force || subscriber.lookedUpAt == nil || subscriber.lookedUpAt != deployment.lastUpdatedAt {
      subscriber.lookedUpAt = deployment.lastUpdatedAt
      subscriber.needsLookup = true
      watches[deploymentId]?.subscribers[subscriberId] = subscriber
    }
  }

  /// Sends an update if the request changed; ends the subscription when it is terminal.
  @discardableResult
  func deliver(_ request: DeploymentRequest, to subscriberId: UInt64, of deploymentId: String) -> Bool {
    guard var watch = watches[deploymentId], var subscriber = watch.subscribers[subscriberId] else { return false }
    let progress = Subscriber.Progress(request)
    let terminal = request.status?.isTerminal == true
    if !terminal, progress == subscriber.lastDelivered { return false }
    let update = TrackedUpdate(
      kind: terminal ? .terminal : .progress, deploymentId: deploymentId, projectId: watch.projectId, request: request,
      deploymentStatus: watch.latest?.status, observedAt: Date())
    subscriber.continuation.yield(update)
    statistics.updatesDelivered += 1
    metrics.update(update.kind)
    if terminal {
      if let sample = projects[watch.projectId]?.schedule.finished(
        deploymentId, request: request, resourceTypes: watch.resourceTypes, now: update.observedAt)
      {
        share(sample, now: update.observedAt)
      }
    } else {
      projects[watch.projectId]?.schedule.observe(
        deploymentId, request: request, resourceTypes: watch.resourceTypes, now: update.observedAt)
    }
    if terminal {
      watch.subscribers[subscriberId] = nil
      watches[deploymentId] = watch
      subscriber.continuation.finish()
      if let completedAt = request.completedAt {
        metrics.noticed(after: update.observedAt.timeIntervalSince(completedAt))
      }
      logger.debug(
        "request reached a terminal status",
        metadata: [
          "vra.deployment_id": .string(deploymentId), "vra.request_id": .string(request.id ?? "?"),
          "vra.status": .string(request.status?.rawValue ?? "?"),
        ])
      removeIfIdle(deploymentId)
    } else {
      subscriber.lastDelivered = progress
      watch.subscribers[subscriberId] = subscriber
      watches[deploymentId] = watch
    }
    return true
  }

  func deliver(_ request: DeploymentRequest, toFollowersOf lookup: RequestLookup) -> Bool {
    var delivered = false
    for (subscriberId, subscriber) in watches[lookup.deploymentId]?.subscribers ?? [:]
    where subscriber.requestId == lookup.requestId {
      delivered = deliver(request, to: subscriberId, of: lookup.deploymentId) || delivered
    }
    return delivered
  }

  /// Ends every subscription of a deployment with a not-found update.
  func finishAll(_ deploymentId: String, kind: TrackedUpdate.Kind) {
    guard let watch = watches[deploymentId] else { return }
    for subscriberId in watch.subscribers.keys { finish(subscriberId, of: deploymentId, kind: kind) }
  }

  func finishFollowers(of lookup: RequestLookup, kind: TrackedUpdate.Kind) {
    for (subscriberId, subscriber) in watches[lookup.deploymentId]?.subscribers ?? [:]
    where subscriber.requestId == lookup.requestId {
      finish(subscriberId, of: lookup.deploymentId, kind: kind)
    }
  }

  private func finish(_ subscriberId: UInt64, of deploymentId: String, kind: TrackedUpdate.Kind) {
    guard var watch = watches[deploymentId], let subscriber = watch.subscribers[subscriberId] else { return }
    var update = TrackedUpdate(
      kind: kind, deploymentId: deploymentId, projectId: watch.projectId, request: nil,
      deploymentStatus: watch.latest?.status, observedAt: Date())
    update.requestId = subscriber.requestId
    subscriber.continuation.yield(update)
    subscriber.continuation.finish()
    statistics.updatesDelivered += 1
    metrics.update(kind)
    watch.subscribers[subscriberId] = nil
    watches[deploymentId] = watch
    logger.info(
      "tracked deployment or request is gone",
      metadata: [
        "vra.deployment_id": .string(deploymentId), "vra.request_id": .string(subscriber.requestId ?? "?"),
        "tracker.outcome": .string(kind.rawValue),
      ])
    removeIfIdle(deploymentId)
  }

  // MARK: - Fallback selection

  /// Watches of the project due for a check by id.
  func staleWatches(_ projectId: String, tick: Int) -> [String] {
    guard let ids = projects[projectId]?.watchIds else { return [] }
    let now = ContinuousClock.now
    return ids.filter { id in
      guard let watch = watches[id] else { return false }
      guard let seenAt = watch.lastSeenAt, let seenTick = watch.lastSeenTick else {
        return tick - watch.registeredAtTick >= configuration.fallbackAfterTicks
      }
      // A deployment being deleted leaves the list when the delete finishes: check it sooner.
      if watch.latest?.status == .deleteInProgress, tick - seenTick >= configuration.fallbackAfterTicks { return true }
      return now - seenAt >= configuration.recheckAfter
    }.sorted()
  }

  /// Requests to look up by id this tick (each once), clearing their marks.
  func pendingLookups(_ projectId: String) -> [RequestLookup] {
    var lookups: Set<RequestLookup> = []
    for deploymentId in projects[projectId]?.watchIds ?? [] {
      // Read in place first: most watches need no lookup, and a copy of a watch is not free.
      guard watches[deploymentId]?.subscribers.values.contains(where: \.needsLookup) == true,
        var watch = watches[deploymentId]
      else { continue }
      var touched = false
      for (subscriberId, subscriber) in watch.subscribers where subscriber.needsLookup {
        if let requestId = subscriber.requestId {
          lookups.insert(RequestLookup(deploymentId: deploymentId, requestId: requestId))
        }
        watch.subscribers[subscriberId]?.needsLookup = false
        touched = true
      }
      if touched { watches[deploymentId] = watch }
    }
    return lookups.sorted { ($0.deploymentId, $0.requestId) < ($1.deploymentId, $1.requestId) }
  }

  func markForLookup(_ lookup: RequestLookup) {
    guard var watch = watches[lookup.deploymentId] else { return }
    for (subscriberId, subscriber) in watch.subscribers where subscriber.requestId == lookup.requestId {
      watch.subscribers[subscriberId]?.needsLookup = true
    }
    watches[lookup.deploymentId] = watch
  }

  // MARK: - Accounting

  func count(_ kind: TrackerMetrics.CallKind, _ calls: Int) {
    guard calls > 0 else { return }
    switch kind {
    case .list: statistics.listCalls += calls
    case .recheckList: statistics.recheckListCalls += calls
    case .deployment: statistics.deploymentLookups += calls
    case .request: statistics.requestLookups += calls
    }
    for _ in 0..<calls { metrics.call(kind) }
  }

  func failed(_ kind: TrackerMetrics.CallKind, _ error: any Error, projectId: String) {
    statistics.failedCalls += 1
    metrics.error(kind)
    logger.warning(
      "tracker call failed; retrying on the next tick",
      metadata: [
        "tracker.call": .string(kind.rawValue), "vra.project_id": .string(projectId),
        "error.class": .string((error as? VRAError)?.errorClass.name ?? String(describing: type(of: error))),
        "error.message": .string((error as? VRAError)?.message ?? "\(error)"),
      ])
  }
}

/// A request followed by id because it is not its deployment's `lastRequest`.
struct RequestLookup: Hashable, Sendable {
  var deploymentId: String
  var requestId: String
}
