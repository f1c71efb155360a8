import Foundation
import TestSupport
import Testing
import VRASimulator

/// The model-based test of environments (`apply --env`): random sequences of events (the plan's
/// inputs, templates and stages change; apply, apply --prune; updates of a deployment fail and stop
/// failing; a deployment deleted or updated outside; a real `apply` SIGKILLed once it sent
/// something, then refused while not resumed, then resumed; `plan --detailed-exitcode`) on one
/// environment per sequence, against one simulator, with every invariant checked after every step
/// against the real store and the real simulator.
///
/// Replay: the seed is printed; `ENV_MODEL_SEED=S ENV_MODEL_ONLY=I swift test --filter
/// EnvironmentLifecycleModel` runs sequence I of that seed alone (the event sequence is the same;
/// the moment a kill lands still varies: the engine runs for real). `ENV_MODEL_SEQUENCES=N`
/// changes how many run (default 8, about a minute on 2 cores).
///
/// In the serial `TimingSensitive` pass: the kills poll the store and the simulator while a
/// real process runs, and the whole test is long.
extension TimingSensitive {
  @Suite(.serialized) struct EnvironmentLifecycleModelTests {
    static let defaultSequences = 8

    @Test func randomEventSequencesKeepEveryEnvironmentInvariant() async throws {
      let environment = ProcessInfo.processInfo.environment
      let seed = environment["ENV_MODEL_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0..<1_000_000_000)
      let count = environment["ENV_MODEL_SEQUENCES"].flatMap(Int.init) ?? Self.defaultSequences
      let indices = environment["ENV_MODEL_ONLY"].flatMap(Int.init).map { [$0] } ?? Array(0..<count)
      print("EnvironmentLifecycleModel: seed \(seed), \(indices.count) sequences (replay with ENV_MODEL_SEED=\(seed))")
      let stats = EnvironmentModelStats()
      let root = FileManager.default.temporaryDirectory.appendingPathComponent("env-model-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: root) }
      let started = ContinuousClock.now

      try await SimulatorHarness.with({
        $0.timeScale = 0.0025
        $0.uniqueDeploymentNames = false
        $0.faults.enabled = true
      }) { harness in
        // One at a time: updates fail by deployment name for the whole simulator, and a second apply
        // must send no POST at all, which the simulator's counters tell only when nothing else runs.
        for index in indices {
          let sequence = EnvironmentGenerator.sequence(index, seed: seed)
          var driver = EnvironmentDriver(
            sequence: sequence, harness: harness, directory: root.appendingPathComponent("\(index)"), stats: stats)
          let violations = await driver.execute()
          if !violations.isEmpty { stats.fail(sequence, violations) }
        }
        let duplicates = await harness.server.stats().duplicateDeploymentNames
        #expect(duplicates == 0, "the simulator saw \(duplicates) duplicate deployment names")
      }

      let figures = stats.value
      let events = figures.events.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
      let exits = figures.applies.sorted { $0.key < $1.key }.map { "exit \($0.key): \($0.value)" }
        .joined(separator: ", ")
      print(
        "EnvironmentLifecycleModel: seed \(seed): \(figures.sequences) sequences in \(ContinuousClock.now - started); "
          + "events: \(events); applies: \(exits); stages created \(figures.creates), updated \(figures.updates) "
          + "(\(figures.failedUpdates) failed, \(figures.readersOfNewIds) readers of a new network id), unchanged "
          + "\(figures.unchanged); \(figures.rollbacks) updates rolled "
          + "back, \(figures.rollbackDeletes) creates rolled back; \(figures.driftRepairs) drift repairs; "
          + "\(figures.pruned) pruned; \(figures.kills) SIGKILLs (\(figures.killsTooLate) applies ended before "
          + "their kill); \(figures.outsideSkipped) outside changes with nothing to change; \(figures.noPostChecks) "
          + "second applies sent nothing; \(figures.invariantChecks) invariant checks, \(figures.violations) violations"
      )
      for (sequence, violations) in stats.failures.sorted(by: { $0.0.index < $1.0.index }) {
        Issue.record("seed \(seed): \(sequence)\nviolations:\n  \(violations.joined(separator: "\n  "))")
      }
      #expect(figures.sequences == indices.count)
      #expect(figures.violations == 0)
    }
  }
}
