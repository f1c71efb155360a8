import Engine
import Synchronization
import Testing

/// The scheduler decides order, concurrency and what a failure stops; fake stages record what ran.
@Suite struct RolloutSchedulerTests {
  /// Records starts and finishes, and the highest concurrency seen, overall and per project.
  final class Recorder: Sendable {
    struct State {
      var started: [String] = []
      var running: [String: String] = [:]
      var peak = 0
      var peakPerProject: [String: Int] = [:]
    }
    let state = Mutex(State())

    func start(_ stage: RolloutScheduler.Stage) {
      state.withLock {
        $0.started.append(stage.name)
        $0.running[stage.name] = stage.project
        $0.peak = max($0.peak, $0.running.count)
        let inProject = $0.running.values.filter { $0 == stage.project }.count
        $0.peakPerProject[stage.project] = max($0.peakPerProject[stage.project] ?? 0, inProject)
      }
    }

    func finish(_ stage: RolloutScheduler.Stage) {
      _ = state.withLock { $0.running.removeValue(forKey: stage.name) }
    }
  }

  static func stage(_ name: String, after: Set<String> = [], project: String = "p") -> RolloutScheduler.Stage {
    .init(name: name, dependencies: after, project: project)
  }

  /// network → db → app, plus an independent cache.
  static let threeTier = [
    stage("network"), stage("db", after: ["network"]), stage("app", after: ["db"]), stage("cache"),
  ]

  @Test func dependenciesRunFirstAndIndependentStagesOverlap() async {
    let recorder = Recorder()
    let scheduler = RolloutScheduler(stages: Self.threeTier, policy: .init(parallelism: 4))
    let outcomes = await scheduler.run { stage in
      recorder.start(stage)
      await Task.yield()
      try? await Task.sleep(for: .milliseconds(20))
      recorder.finish(stage)
      return .succeeded
    }
    #expect(outcomes.values.allSatisfy { $0.isSuccess })
    let started = recorder.state.withLock { $0.started }
    #expect(started.firstIndex(of: "network")! < started.firstIndex(of: "db")!)
    #expect(started.firstIndex(of: "db")! < started.firstIndex(of: "app")!)
    #expect(recorder.state.withLock { $0.peak } == 2, "network and cache run together, nothing else can")
  }

  @Test func aRaisedLimitStartsWaitingStagesWhileOthersStillRun() async {
    let recorder = Recorder()
    let limits = ConcurrencyLimits(.init(parallelism: 1))
    let (release, releaser) = AsyncStream.makeStream(of: Void.self)
    let scheduler = RolloutScheduler(
      stages: ["a", "b", "c"].map { Self.stage($0) }, policy: .init(parallelism: 4), limits: limits)
    let walk = Task {
      await scheduler.run { stage in
        recorder.start(stage)
        if stage.name == "a" {
          // `a` runs until the others started: only a raised limit lets them start.
          limits.update(.init(parallelism: 3))
          await withTaskGroup(of: Void.self) { group in  // released, or given up on after 10 s
            group.addTask { for await _ in release { break } }
            group.addTask { try? await Task.sleep(for: .seconds(10)) }
            await group.next()
            group.cancelAll()
          }
        }
        recorder.finish(stage)
        if recorder.state.withLock({ $0.started.count }) == 3 { releaser.yield() }
        return .succeeded
      }
    }
    let outcomes = await walk.value
    #expect(outcomes.values.allSatisfy { $0.isSuccess })
    #expect(recorder.state.withLock { $0.peak } >= 2, "b and c started while a was running")
  }

  @Test func aLoweredLimitHoldsBackTheRest() async {
    let recorder = Recorder()
    let limits = ConcurrencyLimits()
    let scheduler = RolloutScheduler(
      stages: (0..<6).map { Self.stage("s\($0)") }, policy: .init(parallelism: 6), limits: limits)
    limits.update(.init(parallelism: 2))
    let outcomes = await scheduler.run { stage in
      recorder.start(stage)
      // The stage's work (the behaviour under test is how many run at once while it lasts).
      try? await Task.sleep(for: .milliseconds(10))
      recorder.finish(stage)
      return .succeeded
    }
    #expect(outcomes.count == 6)
    #expect(recorder.state.withLock { $0.peak } == 2)
  }

  @Test func parallelismAndPerProjectLimitsHold() async {
    let stages = (0..<12).map { Self.stage("s\($0)", project: $0 % 2 == 0 ? "even" : "odd") }
    let recorder = Recorder()
    let scheduler = RolloutScheduler(stages: stages, policy: .init(parallelism: 5, perProjectLimit: 2))
    let outcomes = await scheduler.run { stage in
      recorder.start(stage)
      try? await Task.sleep(for: .milliseconds(10))
      recorder.finish(stage)
      return .succeeded
    }
    #expect(outcomes.count == 12)
    let state = recorder.state.withLock { $0 }
    #expect(state.peak <= 4, "two projects × 2 per project")
    #expect(state.peakPerProject.values.allSatisfy { $0 <= 2 })
    #expect(state.peak == 4, "the limits are used, not just respected")
  }

  @Test func stopStartsNothingNewAfterAFailure() async {
    let scheduler = RolloutScheduler(stages: Self.threeTier, policy: .init(parallelism: 1, onFailure: .stop))
    let outcomes = await scheduler.run { stage in
      stage.name == "network" ? .failed("boom") : .succeeded
    }
    #expect(outcomes["network"] == .failed("boom"))
    #expect(outcomes["db"] == .skipped(reason: "'network' failed"))
    #expect(outcomes["app"] == .skipped(reason: "'db' was skipped"))
    #expect(outcomes["cache"] == .skipped(reason: "the run stopped after a failure"))
  }

  @Test func continueRunsEverythingNotDownstreamOfTheFailure() async {
    let scheduler = RolloutScheduler(stages: Self.threeTier, policy: .init(parallelism: 1, onFailure: .continue))
    let outcomes = await scheduler.run { stage in
      stage.name == "db" ? .failed("disk full") : .succeeded
    }
    #expect(outcomes["network"] == .succeeded)
    #expect(outcomes["db"] == .failed("disk full"))
    #expect(outcomes["app"] == .skipped(reason: "'db' failed"))
    #expect(outcomes["cache"] == .succeeded)
  }

  @Test func knownOutcomesAreNotRunAgain() async {
    let recorder = Recorder()
    let scheduler = RolloutScheduler(stages: Self.threeTier, policy: .init())
    let outcomes = await scheduler.run(known: ["network": .succeeded, "cache": .succeeded]) { stage in
      recorder.start(stage)
      return .succeeded
    }
    #expect(recorder.state.withLock { $0.started } == ["db", "app"])
    #expect(outcomes.values.allSatisfy { $0.isSuccess })
  }

  @Test func cancellationSkipsWhatHasNotStarted() async {
    let scheduler = RolloutScheduler(stages: Self.threeTier, policy: .init(parallelism: 1))
    let task = Task {
      await scheduler.run { stage in
        withUnsafeCurrentTask { $0?.cancel() }  // the run is cancelled while the first stage runs
        return stage.name == "network" ? .cancelled : .succeeded
      }
    }
    let outcomes = await task.value
    #expect(outcomes["network"] == .cancelled)
    #expect(outcomes.values.filter { $0 == .succeeded }.isEmpty)
    #expect(outcomes["cache"] == .skipped(reason: "the run was cancelled"))
  }

  @Test func aCycleLeavesItsStagesSkipped() async {
    let stages = [Self.stage("a", after: ["b"]), Self.stage("b", after: ["a"]), Self.stage("c")]
    let outcomes = await RolloutScheduler(stages: stages, policy: .init()).run { _ in .succeeded }
    #expect(outcomes["c"] == .succeeded)
    #expect(outcomes["a"] == .skipped(reason: "it is on a dependency cycle"))
  }
}
