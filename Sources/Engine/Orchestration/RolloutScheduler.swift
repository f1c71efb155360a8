/// Walks a stage graph: starts each stage once everything it depends on succeeded, never more
/// than `parallelism` at once (nor `perProjectLimit` in one project), and applies `onFailure`.
///
/// Pure scheduling, no I/O: the caller's `run` closure does the work of one stage. This is the
/// part of the orchestrator that decides order, so it is tested on its own with fake stages
/// (the way Terraform's graph walker is separate from its providers).
public struct RolloutScheduler: Sendable {
  public struct Stage: Sendable, Hashable {
    public var name: String
    public var dependencies: Set<String>
    public var project: String

    public init(name: String, dependencies: Set<String>, project: String) {
      self.name = name
      self.dependencies = dependencies
      self.project = project
    }
  }

  public let stages: [Stage]
  public let policy: SchedulingPolicy
  /// Overrides of `policy`'s limits that may change during the walk (hot reload); nil: none.
  public let limits: ConcurrencyLimits?

  /// - Parameter stages: in a stable order (the plan's); ready stages start in this order.
  public init(stages: [Stage], policy: SchedulingPolicy, limits: ConcurrencyLimits? = nil) {
    self.stages = stages
    self.policy = policy
    self.limits = limits
  }

  /// Runs every stage that should run and returns each stage's outcome.
  ///
  /// - Parameter known: outcomes decided before this walk (a resumed run's finished stages);
  ///   those stages are not run again.
  /// - Parameter run: does one stage; its result is the stage's outcome. Task cancellation
  ///   reaches every running stage (each decides how to end); stages not started end `skipped`.
  public func run(
    known: [String: StageOutcome] = [:],
    _ run: @escaping @Sendable (Stage) async -> StageOutcome
  ) async -> [String: StageOutcome] {
    var outcomes = known
    var running: [String: String] = [:]  // stage → project
    var stopReason: String?
    let byName = Dictionary(uniqueKeysWithValues: stages.map { ($0.name, $0) })

    func blockedReason(_ stage: Stage) -> String? {
      for dependency in stage.dependencies.sorted() {
        switch outcomes[dependency] {
        case .failed?: return "'\(dependency)' failed"
        case .skipped?: return "'\(dependency)' was skipped"
        case .cancelled?: return "'\(dependency)' was cancelled"
        case .submitted?: return "'\(dependency)' was submitted without waiting for it to end"
        default: continue
        }
      }
      return nil
    }

    func isReady(_ stage: Stage) -> Bool {
      stage.dependencies.allSatisfy { outcomes[$0] == .succeeded || byName[$0] == nil }
    }

    // A child task that ends (with nil) when the limits change, so a raised limit starts stages
    // at once instead of when a running stage ends.
    var watchingLimits = false
    await withTaskGroup(of: (String, StageOutcome)?.self) { group in
      defer { group.cancelAll() }
      while true {
        let (policy, version) = limits?.applied(to: self.policy) ?? (self.policy, 0)
        // Decide what cannot run any more, then start what may.
        var changed = true
        while changed {
          changed = false
          for stage in stages where outcomes[stage.name] == nil && running[stage.name] == nil {
            if let reason = blockedReason(stage) {
              outcomes[stage.name] = .skipped(reason: reason)
              changed = true
            } else if let reason = Task.isCancelled ? "the run was cancelled" : stopReason {
              outcomes[stage.name] = .skipped(reason: reason)
              changed = true
            }
          }
        }
        for stage in stages where outcomes[stage.name] == nil && running[stage.name] == nil && isReady(stage) {
          guard running.count < policy.parallelism else { break }
          if let limit = policy.perProjectLimit, running.values.filter({ $0 == stage.project }).count >= limit {
            continue
          }
          running[stage.name] = stage.project
          group.addTask { (stage.name, await run(stage)) }
        }
        guard !running.isEmpty else { break }
        if let limits, !watchingLimits, !Task.isCancelled {
          let changes = limits.changes(since: version)
          watchingLimits = true
          group.addTask {
            for await _ in changes { return nil }
            return nil
          }
        }
        guard let next = await group.next() else { break }
        guard let (name, outcome) = next else {
          watchingLimits = false
          continue
        }
        running[name] = nil
        outcomes[name] = outcome
        if case .failed = outcome, policy.onFailure == .stop, stopReason == nil {
          stopReason = "the run stopped after a failure"
        }
        if case .cancelled = outcome { stopReason = "the run was cancelled" }
      }
    }
    // Only a dependency cycle leaves stages undecided; the plan validator refuses cycles first.
    for stage in stages where outcomes[stage.name] == nil {
      outcomes[stage.name] = .skipped(reason: "it is on a dependency cycle")
    }
    return outcomes
  }
}
