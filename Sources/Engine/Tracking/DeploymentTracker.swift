import Foundation
import Logging
import Tracing
import VRAClient
import VRAModels

/// Follows many deployment requests to their terminal state with a handful of API calls.
///
/// One loop per project (not per deployment) lists the project's deployments changed since a
/// server-time watermark, with `expand=lastRequest`, so one call reports every watched request
/// of that project. Per-id GETs happen only as a fallback: for a watch the list never shows
/// (deleted, wrong project), for one not seen for `recheckAfter`, and for a followed request that
/// is no longer its deployment's `lastRequest`. The wait between ticks follows the watches'
/// expected completions (see `PollScheduler`), and a loop ends when its project has nothing left to watch.
///
/// A terminal request (including FAILED) is reported in the tick that first sees it; the
/// deployment list carries the request's status, so a failure never waits for a timeout.
public actor DeploymentTracker {
  let client: VRAClient
  public nonisolated let configuration: TrackerConfiguration
  let metrics: TrackerMetrics
  let listing: ProjectListing
  var logger: Logger { configuration.logger }

  var watches: [String: Watch] = [:]
  var projects: [String: ProjectLoop] = [:]
  /// Watermarks outlive their loops, so a project watched again resumes where it left off.
  var watermarks: [String: Watermark] = [:]
  /// Run times learned by any project's loop, by shape: every loop's schedule forecasts from all of
  /// them (a template that finished in one project times the same template in the others).
  var runTimes: [String: PollScheduler.RunTimes] = [:]
  var nextSubscriberId: UInt64 = 0
  var random = SystemRandomNumberGenerator()
  /// Project loops created so far, and a random start, for the phases of their blind polls.
  var loopsStarted = 0
  let phaseSeed = Double.random(in: 0..<1)
  var isStopped = false
  /// Poll bounds set while running (a config reload); nil: the configuration's.
  var intervals: (min: Duration, max: Duration)?
  /// What this tracker did so far.
  public internal(set) var statistics = TrackerStatistics()

  /// The state of one project's polling loop.
  struct ProjectLoop {
    var schedule: PollScheduler
    let doorbell = Doorbell()
    var tick = 0
    var watchIds: Set<String> = []
    /// True from the loop's start until it ends (its project has nothing left to watch).
    var isRunning = false
  }

  /// A project loop to start, with the run's trace and log context it polls for.
  struct LoopStart: Sendable {
    var projectId: String
    var traceContext: ServiceContext?
    var logContext: ExecutionContext?
  }

  /// Loops to start, run as child tasks of `runLoops()` (structured: they end with `with`'s body).
  nonisolated let loopStarts: AsyncStream<LoopStart>
  nonisolated let loopStartsContinuation: AsyncStream<LoopStart>.Continuation

  /// Made by `with(client:configuration:_:)`, which also runs its loops.
  init(client: VRAClient, configuration: TrackerConfiguration = TrackerConfiguration()) {
    self.client = client
    self.configuration = configuration
    self.metrics = TrackerMetrics(factory: configuration.metricsFactory)
    self.listing = ProjectListing(client: client, pageSize: configuration.pageSize)
    (loopStarts, loopStartsContinuation) = AsyncStream.makeStream()
  }

  /// A tracker for the length of `body`: its project loops are child tasks of this call, so when
  /// `body` returns or throws, every loop has stopped and every waiter has been told
  /// (`TrackerError.stopped`); nothing outlives it.
  public static func with<Result>(
    client: VRAClient, configuration: TrackerConfiguration = TrackerConfiguration(),
    _ body: (DeploymentTracker) async throws -> Result
  ) async throws -> Result {
    let tracker = DeploymentTracker(client: client, configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
      group.addTask { await tracker.runLoops() }
      let result: Swift.Result<Result, any Error>
      do {
        result = .success(try await body(tracker))
      } catch {
        result = .failure(error)
      }
      await tracker.shutdown()
      group.cancelAll()
      return try result.get()
    }
  }

  /// Runs each loop `updates` asks for as a child task, until `shutdown()`; the caller's
  /// cancellation stops them all.
  nonisolated func runLoops() async {
    await withDiscardingTaskGroup { group in
      for await start in loopStarts {
        group.addTask {
          await ExecutionContext.$current.withValue(start.logContext) {
            await ServiceContext.withValue(start.traceContext) { await self.run(start.projectId) }
          }
        }
      }
    }
  }

  // MARK: - Public API

  /// Changes the poll bounds of every loop, running or future (a config file edit during a run).
  /// A loop waiting longer than the new maximum is woken at once.
  public func updatePollIntervals(min: Duration, max: Duration) {
    intervals = (min, Swift.max(min, max))
    for projectId in Array(projects.keys) {  // a copy of the keys: no view holds the dictionary while it changes
      projects[projectId]?.schedule.rebound(minimum: min, maximum: max)
      if let loop = projects[projectId] { loop.doorbell.shorten(to: .now + loop.schedule.blind.current) }
    }
  }

  /// The current poll bounds.
  public var pollIntervals: (min: Duration, max: Duration) {
    intervals ?? (configuration.minInterval, configuration.maxInterval)
  }

  private func newSchedule() -> PollScheduler {
    var schedule = PollScheduler(configuration)
    if let intervals { schedule.rebound(minimum: intervals.min, maximum: intervals.max) }
    // Blind polls at the maximum take turns between projects: the k-th loop's phase is k golden
    // ratios into the cycle (well spread however many loops run), from a random start per tracker.
    loopsStarted += 1
    let turn = (phaseSeed + Double(loopsStarted) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1)
    schedule.blindTurn = turn
    for (shape, times) in runTimes { schedule.learn(shape, times, now: Date()) }
    return schedule
  }

  /// Registers interest in a deployment and returns its updates.
  ///
  /// - Parameters:
  ///   - requestId: the request to follow; nil follows the deployment's `lastRequest` as first seen.
  ///   - resourceTypes: the deployment's resource types when the caller knows them (its template):
  ///     requests of the same types are expected to take about as long, which times the polls.
  /// - Returns: a stream of changes (status, progress, details) that ends after a `.terminal`,
  ///   `.deploymentNotFound` or `.requestNotFound` update, or when the tracker shuts down.
  ///   Dropping or cancelling the iteration unregisters the interest.
  public func updates(
    deploymentId: String, projectId: String, requestId: String? = nil, resourceTypes: [String] = []
  ) -> AsyncStream<TrackedUpdate> {
    let (stream, continuation) = AsyncStream.makeStream(of: TrackedUpdate.self)
    guard !isStopped else {
      continuation.finish()
      return stream
    }
    let subscriberId = nextSubscriberId
    nextSubscriberId += 1
    continuation.onTermination = { [weak self] termination in
      guard case .cancelled = termination, let self else { return }
      Task { await self.unsubscribe(subscriberId, from: deploymentId) }
    }
    let projectId = watches[deploymentId]?.projectId ?? projectId
    if projects[projectId] == nil { projects[projectId] = ProjectLoop(schedule: newSchedule()) }
    // The loop is changed in place: a copy would copy its watch ids and forecasts on every registration.
    let tick = projects[projectId]?.tick ?? 0
    var watch =
      watches[deploymentId] ?? Watch(deploymentId: deploymentId, projectId: projectId, registeredAtTick: tick)
    watch.subscribers[subscriberId] = Subscriber(continuation: continuation, requestId: requestId)
    if !resourceTypes.isEmpty { watch.resourceTypes = resourceTypes }
    watches[deploymentId] = watch
    projects[projectId]?.watchIds.insert(deploymentId)
    projects[projectId]?.schedule.reset()
    let isRunning = projects[projectId]?.isRunning ?? false
    projects[projectId]?.isRunning = true
    if isRunning {
      projects[projectId]?.doorbell.shorten(to: .now + (intervals?.min ?? configuration.minInterval))
    } else {
      // The loop polls for every stage of the project, so its calls belong to the run, not to the
      // stage that happened to start it). Its log lines likewise carry the run and project, not
      // that stage's name.
      loopStartsContinuation.yield(
        LoopStart(
          projectId: projectId, traceContext: EngineSpans.runContext,
          logContext: ExecutionContext.current.map {
            ExecutionContext(runId: $0.runId, stage: "", org: $0.org, project: $0.project)
          }))
    }
    if let latest = watch.latest {  // a deployment already known: tell the newcomer at once
      evaluate(subscriberId, of: deploymentId, against: latest, force: true)
    }
    reportGauges()
    return stream
  }

  /// Waits for the request's last update (`.terminal`, `.deploymentNotFound` or `.requestNotFound`),
  /// handing every update to `onUpdate` on the way. Throws `TrackerError.timedOut` when `timeout`
  /// passes first, `.stopped` on shutdown, and `CancellationError` as soon as the calling task is
  /// cancelled.
  public nonisolated func lastUpdate(
    deploymentId: String, projectId: String, requestId: String? = nil, resourceTypes: [String] = [],
    timeout: Duration? = nil, onUpdate: @escaping @Sendable (TrackedUpdate) -> Void = { _ in }
  ) async throws -> TrackedUpdate {
    try Task.checkCancellation()
    let stream = await updates(
      deploymentId: deploymentId, projectId: projectId, requestId: requestId, resourceTypes: resourceTypes)
    return try await withThrowingTaskGroup(of: TrackedUpdate.self) { group in
      group.addTask {
        for await update in stream {
          onUpdate(update)
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
      guard let result = try await group.next() else { throw TrackerError.stopped(deploymentId: deploymentId) }
      return result
    }
  }

  /// Waits until the request reaches a terminal status and returns it as vRA reported it
  /// (check `status.isFailure`). Throws `TrackerError` when the deployment or request is gone,
  /// on timeout, or on shutdown, and `CancellationError` as soon as the calling task is cancelled.
  public nonisolated func waitForTerminal(
    deploymentId: String, projectId: String, requestId: String? = nil, resourceTypes: [String] = [],
    timeout: Duration? = nil, onUpdate: @escaping @Sendable (TrackedUpdate) -> Void = { _ in }
  ) async throws -> DeploymentRequest {
    let last = try await lastUpdate(
      deploymentId: deploymentId, projectId: projectId, requestId: requestId, resourceTypes: resourceTypes,
      timeout: timeout, onUpdate: onUpdate)
    switch last.kind {
    case .deploymentNotFound: throw TrackerError.deploymentNotFound(deploymentId: deploymentId)
    case .requestNotFound:
      throw TrackerError.requestNotFound(deploymentId: deploymentId, requestId: last.requestId ?? "?")
    case .terminal, .progress:
      // A terminal update always carries its request.
      guard let request = last.request else { throw TrackerError.stopped(deploymentId: deploymentId) }
      return request
    }
  }

  /// Projects with a running loop.
  public var activeProjectIds: [String] { projects.keys.sorted() }

  /// Deployments currently watched.
  public var watchedCount: Int { watches.count }

  /// Ends every stream (waiters get `TrackerError.stopped`) and starts no more loops; `with`
  /// then cancels the running ones.
  func shutdown() {
    isStopped = true
    loopStartsContinuation.finish()
    projects = [:]
    let all = watches.values.flatMap { $0.subscribers.values }
    watches = [:]
    for subscriber in all { subscriber.continuation.finish() }
    reportGauges()
  }

  // MARK: - Registration bookkeeping

  func unsubscribe(_ subscriberId: UInt64, from deploymentId: String) {
    guard var watch = watches[deploymentId] else { return }
    watch.subscribers[subscriberId] = nil
    watches[deploymentId] = watch
    removeIfIdle(deploymentId)
  }

  func removeIfIdle(_ deploymentId: String) {
    guard let watch = watches[deploymentId], watch.subscribers.isEmpty else { return }
    watches[deploymentId] = nil
    projects[watch.projectId]?.watchIds.remove(deploymentId)
    projects[watch.projectId]?.schedule.forget(deploymentId)
    reportGauges()
  }

  /// A request of one project succeeded: its run time joins the shared ones, and a loop whose
  /// schedule now expects a completion sooner than it planned to poll is woken for it.
  func share(_ sample: PollScheduler.Sample, now: Date) {
    var times = runTimes[sample.shape] ?? PollScheduler.RunTimes(types: sample.types, action: sample.action)
    times.add(sample.seconds)
    runTimes[sample.shape] = times
    for projectId in Array(projects.keys) {  // a copy of the keys: no view holds the dictionary while it changes
      // In place (a copy of the loop would copy every forecast of the project).
      guard let forecastsChange = projects[projectId]?.schedule.changesForecasts(sample.shape, times) else {
        continue
      }
      let before = forecastsChange ? projects[projectId]?.schedule.nextDue : nil
      projects[projectId]?.schedule.learn(sample.shape, times, now: now)
      guard forecastsChange, let after = projects[projectId]?.schedule.nextDue, before.map({ after < $0 }) ?? true
      else { continue }
      projects[projectId]?.doorbell.shorten(to: .now + .seconds(max(0, after.timeIntervalSince(now))))
    }
  }

  func reportGauges() {
    metrics.gauges(watched: watches.count, projects: projects.count)
  }

  // MARK: - The loop of one project

  private func run(_ projectId: String) async {
    while !Task.isCancelled, projects[projectId]?.watchIds.isEmpty == false {
      let polledAt = Date()
      let (_, listed, calls) = await tick(projectId, polledAt: polledAt)
      guard !Task.isCancelled, let doorbell = projects[projectId]?.doorbell,
        projects[projectId]?.watchIds.isEmpty == false
      else { break }
      let now = Date()
      let next =
        projects[projectId]?.schedule.nextPoll(polledAt: polledAt, now: now, listed: listed, using: &random)
        ?? now
      let wait = Duration.seconds(max(0, next.timeIntervalSince(now)))
      metrics.tick(calls: calls, nextWait: wait)
      await doorbell.wait(until: .now + wait)
    }
    if !Task.isCancelled, projects[projectId]?.watchIds.isEmpty ?? true {
      projects[projectId] = nil
      reportGauges()
    }
  }
}
