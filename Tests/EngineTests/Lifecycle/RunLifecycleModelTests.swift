import Engine
import Foundation
import TestSupport
import Testing
import VRASimulator

/// The model-based lifecycle test (issue 12): random sequences of events (a stage fails, the
/// cause is fixed, start/resume, Ctrl-C, cancel from another process or of an unowned run, a
/// stalled owner taken over, a real `apply` SIGKILLed, destroy) on random DAG plans, against the
/// simulator, with every invariant checked after every step. Half the plans have a day-2 action
/// stage (issue 18: `Deployment.EditTags` on an earlier stage's deployment), driven through the same
/// events: it must act on its target's deployment, send its request at most once per attempt, and
/// never make rollback or destroy delete anything. Half the plans have one or two check stages (a
/// command, or an HTTP GET of the simulator) after a deployed stage whose output they read, often
/// with a deployed stage after them: broken and fixed like the others, they must deploy nothing,
/// start by `check-started`, skip what follows them when they fail, and end rolled back or
/// destroyed with the others.
///
/// Replay: the seed is printed; `LIFECYCLE_SEED=S LIFECYCLE_ONLY=I swift test --filter RunLifecycleModel`
/// runs sequence I of that seed alone (timing still varies: the engine runs for real).
/// `LIFECYCLE_SEQUENCES=N` changes how many run (default 200).
///
/// It runs in the serial `TimingSensitive` pass: its leases last a second or two and a stalled
/// owner's a fifth of one, and the parallel pass on 2 cores can starve an owner's renewals past that.
extension TimingSensitive {
  @Suite(.serialized) struct RunLifecycleModelTests {
    static let killShare = 0.12
    /// Sequences run at once (`TwoWriterWindow` says why their two-writer moments take turns).
    static let concurrentSequences = 4

    @Test func randomEventSequencesKeepEveryLifecycleInvariant() async throws {
      let environment = ProcessInfo.processInfo.environment
      let seed = environment["LIFECYCLE_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0..<1_000_000_000)
      let count = environment["LIFECYCLE_SEQUENCES"].flatMap(Int.init) ?? 200
      let indices = environment["LIFECYCLE_ONLY"].flatMap(Int.init).map { [$0] } ?? Array(0..<count)
      print("RunLifecycleModel: seed \(seed), \(indices.count) sequences (replay with LIFECYCLE_SEED=\(seed))")
      let sequences = indices.map { LifecycleGenerator.sequence($0, seed: seed, killShare: Self.killShare) }
      let stats = LifecycleStats()
      let root = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: root) }

      try await SimulatorHarness.with({
        $0.timeScale = 0.0025
        $0.uniqueDeploymentNames = false
        $0.faults.enabled = true
        $0.faults.failResources = ["doomed*"]
      }) { harness in
        let url = harness.server.baseURL
        await withTaskGroup(of: Void.self) { group in
          var pending = sequences.makeIterator()
          func startNext() -> Bool {
            guard let sequence = pending.next() else { return false }
            group.addTask {
              var driver = LifecycleDriver(
                sequence: sequence, simulator: url, directory: root.appendingPathComponent("\(sequence.index)"),
                stats: stats)
              let violations = await driver.execute()
              if !violations.isEmpty { stats.fail(sequence, violations) }
            }
            return true
          }
          let width = environment["LIFECYCLE_CONCURRENCY"].flatMap(Int.init) ?? Self.concurrentSequences
          for _ in 0..<width where startNext() {}
          while await group.next() != nil { _ = startNext() }
        }
        let duplicates = await harness.server.stats().duplicateDeploymentNames
        #expect(duplicates == 0, "the simulator saw \(duplicates) duplicate deployment names")
      }

      let figures = stats.value
      print(
        "RunLifecycleModel: seed \(seed): \(figures.sequences) sequences, \(figures.events) events, "
          + "\(figures.invariantChecks) invariant checks, \(figures.kills) SIGKILLs, \(figures.takeovers) takeovers, "
          + "\(figures.ctrlCs) Ctrl-Cs, \(figures.remoteCancels) cancels from another process, "
          + "\(figures.violations) violations; \(figures.checkSequences) sequences with checks "
          + "(\(figures.httpChecks) http): \(figures.checkStarts) check starts, \(figures.checksPassed) passed, "
          + "\(figures.checksFailed) failed, \(figures.checkRollbacks) rolled back, \(figures.checkDestroys) destroyed")
      for (sequence, violations) in stats.failures.sorted(by: { $0.0.index < $1.0.index }) {
        Issue.record("seed \(seed): \(sequence)\nviolations:\n  \(violations.joined(separator: "\n  "))")
      }
      #expect(figures.sequences == indices.count)
      if figures.checkSequences >= 50 {
        #expect(figures.checksPassed > 0 && figures.checksFailed > 0, "the checks never passed, or never failed")
      }
      #expect(figures.violations == 0)
    }
  }
}
