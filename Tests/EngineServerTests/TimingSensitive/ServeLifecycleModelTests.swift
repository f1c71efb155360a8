import EngineRuntime
import Foundation
import Logging
import Synchronization
import Testing

/// The model-based test of the service's run lifecycle: random sequences of events (submissions by
/// two tenants with fresh, reused and concurrent Idempotency-Keys, refused submissions, cancels and
/// destroys, some with the wrong tenant's token, graceful restarts, a quota squeezed to one run, and
/// SIGKILLs of a real `vra-engine serve` process) against a real service over HTTP and a simulator,
/// with every invariant checked after every step and at the end of each sequence (`ServeModelDriver`).
///
/// Replay: the seed is printed; `SERVE_MODEL_SEED=S SERVE_MODEL_ONLY=I swift test --filter
/// ServeLifecycleModel` runs sequence I of that seed alone (its events exactly; their timing varies,
/// the service runs for real). `SERVE_MODEL_SEQUENCES=N` changes how many run (default 30),
/// `SERVE_MODEL_CONCURRENCY` how many at once (default 3); `VRA_ENGINE_LOG_LEVEL=info` shows what the
/// in-process services log. Every fifth sequence runs the `vra-engine serve` process (build it
/// first: `swift build --build-tests` does).
extension TimingSensitive {
  @Suite(.serialized) struct ServeLifecycleModelTests {
    static let concurrentSequences = 3

    @Test func randomEventSequencesKeepEveryServiceInvariant() async throws {
      let environment = ProcessInfo.processInfo.environment
      let seed = environment["SERVE_MODEL_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0..<1_000_000_000)
      let count = environment["SERVE_MODEL_SEQUENCES"].flatMap(Int.init) ?? 30
      let indices = environment["SERVE_MODEL_ONLY"].flatMap(Int.init).map { [$0] } ?? Array(0..<count)
      print("ServeLifecycleModel: seed \(seed), \(indices.count) sequences (replay with SERVE_MODEL_SEED=\(seed))")
      let sequences = indices.map { ServeModelGenerator.sequence($0, seed: seed) }
      let stats = ServeModelStats()
      let root = FileManager.default.temporaryDirectory.appendingPathComponent("serve-model-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: root) }
      // As the CLI logs: at warning unless VRA_ENGINE_LOG_LEVEL says otherwise (info shows every vRA call).
      _ = LogSetup.bootstrap
      let logger = Logger(label: "serve-model")
      let started = ContinuousClock.now

      await withTaskGroup(of: Void.self) { group in
        var pending = sequences.makeIterator()
        func startNext() -> Bool {
          guard let sequence = pending.next() else { return false }
          group.addTask {
            let driver = ServeModelDriver(
              sequence: sequence, directory: root.appendingPathComponent("\(sequence.index)"), stats: stats,
              logger: logger)
            let violations = await driver.execute()
            stats.finished(sequence, violations: violations)
          }
          return true
        }
        let width = environment["SERVE_MODEL_CONCURRENCY"].flatMap(Int.init) ?? Self.concurrentSequences
        for _ in 0..<max(1, width) where startNext() {}
        while await group.next() != nil { _ = startNext() }
      }

      let figures = stats.value
      let elapsed = ContinuousClock.now - started
      print(
        "ServeLifecycleModel: seed \(seed): \(figures.sequences) sequences (\(figures.processSequences) with the "
          + "serve process) in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))), "
          + "\(figures.events.values.reduce(0, +)) events, \(figures.checks) invariant checks, "
          + "\(figures.violations) violations")
      print("ServeLifecycleModel: events: " + Self.render(figures.events))
      print("ServeLifecycleModel: outcomes: " + Self.render(figures.outcomes))
      for (sequence, violations) in figures.failures.sorted(by: { $0.0.index < $1.0.index }) {
        print("ServeLifecycleModel: seed \(seed): \(sequence)\nviolations:\n  \(violations.joined(separator: "\n  "))")
        Issue.record("seed \(seed): \(sequence)\nviolations:\n  \(violations.joined(separator: "\n  "))")
      }
      #expect(figures.sequences == indices.count)
      #expect(figures.violations == 0)
    }

    static func render(_ counts: [String: Int]) -> String {
      counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
  }
}

/// What the sequences did, counted across all of them.
final class ServeModelStats: Sendable {
  struct Figures: Sendable {
    var sequences = 0
    var processSequences = 0
    var events: [String: Int] = [:]
    var outcomes: [String: Int] = [:]
    var checks = 0
    var violations = 0
    var failures: [(ServeModelSequence, [String])] = []
  }

  private let state = Mutex(Figures())

  var value: Figures { state.withLock { $0 } }

  func count(event kind: String) { state.withLock { $0.events[kind, default: 0] += 1 } }
  func count(outcome: String) { state.withLock { $0.outcomes[outcome, default: 0] += 1 } }
  func countCheck() { state.withLock { $0.checks += 1 } }
  func countViolation() { state.withLock { $0.violations += 1 } }

  func finished(_ sequence: ServeModelSequence, violations: [String]) {
    state.withLock {
      $0.sequences += 1
      if sequence.usesProcess { $0.processSequences += 1 }
      if !violations.isEmpty { $0.failures.append((sequence, violations)) }
    }
  }
}
