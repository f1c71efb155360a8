import Foundation
import TestSupport
import Testing
import VRASimulator

/// A config file edited while `apply` runs: concurrency and log level change without a restart,
/// and an invalid edit is refused with the reason while the run goes on under the old settings.
@Suite(.serialized) struct HotReloadTests {
  static let stageNames = ["n1", "n2", "n3", "n4", "n5", "n6"]
  static let plan =
    "name: reload\ndefaults: {project: Development, parallelism: 6}\nstages:\n"
    + stageNames.map { "  \($0): {template: network.yaml}\n" }.joined()

  static func config(parallelism: String, level: String) -> String {
    """
    [concurrency]
    parallelism = \(parallelism)
    [log]
    level = "\(level)"
    """
  }

  /// Most stages in flight at once in `lines`: a stage is in flight from its first `submitting` or
  /// `running` line to its `succeeded` or `failed` line.
  static func mostInFlight(_ lines: some Sequence<Substring>) -> Int {
    var active: Set<String> = []
    var most = 0
    for line in lines {
      guard let name = stageNames.first(where: { line.hasPrefix("\($0) [") }) else { continue }
      if line.contains(": submitting") || line.contains(": running") {
        active.insert(name)
      } else if line.contains(": succeeded") || line.contains(": failed") {
        active.remove(name)
      }
      most = max(most, active.count)
    }
    return most
  }

  @Test func editsDuringARunChangeConcurrencyAndLogLevelAndABadEditIsRefused() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.05 }) { harness in  // a network takes about 1 s
      let apply = try Deploy.start(
        ["plan.yaml", "--config", "vra-engine.toml"], command: "apply",
        files: [
          "plan.yaml": Self.plan, "network.yaml": EngineTemplates.network,
          "vra-engine.toml": Self.config(parallelism: "1", level: "warning"),
        ],
        simulator: harness, environment: ["VRA_ENGINE_RELOAD_INTERVAL": "100ms"])
      defer { try? FileManager.default.removeItem(at: apply.directory) }
      let config = apply.directory.appendingPathComponent("vra-engine.toml")

      // Once the first stage is in flight: an edit with a bad value, refused (a warning, so visible).
      _ = try await harness.http.poll(timeout: .seconds(30)) {
        apply.stderrText().contains("n1 [project Development]: ") ? true : nil
      }
      try Self.config(parallelism: "\"lots\"", level: "info").write(to: config, atomically: true, encoding: .utf8)
      _ = try await harness.http.poll(timeout: .seconds(30)) {
        apply.stderrText().contains("config file edit refused") ? true : nil
      }
      #expect(apply.stderrText().contains("vra-engine.toml:2:16: concurrency.parallelism"), "\(apply.stderrText())")
      #expect(!apply.stderrText().contains(" info "), "the refused edit's log level is not applied")

      // A valid edit: six at once, and info lines. What stderr held before it is written is the
      // "before": the reload applies the limits before it logs, so a stage may start ahead of its notice.
      let linesBeforeEdit = apply.stderrText().split(separator: "\n").count
      try Self.config(parallelism: "6", level: "info").write(to: config, atomically: true, encoding: .utf8)
      let result = try await apply.finish()
      #expect(result.status == 0, "\(result.stderr)")
      let lines = result.stderr.split(separator: "\n")
      let reloaded = try #require(lines.firstIndex { $0.contains("configuration reloaded") }, "\(result.stderr)")
      #expect(lines[reloaded].contains("concurrency.parallelism: 1 → 6"), "\(lines[reloaded])")
      #expect(reloaded >= linesBeforeEdit, "the reload follows the edit")
      #expect(Self.mostInFlight(lines.prefix(linesBeforeEdit)) == 1, "one at a time before the edit:\n\(result.stderr)")
      #expect(Self.mostInFlight(lines.dropFirst(linesBeforeEdit)) >= 2, "several at once after it:\n\(result.stderr)")
      #expect(lines[reloaded...].contains { $0.contains(" info ") && !$0.contains("configuration reloaded") })
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 6)
    }
  }

  @Test func withoutAConfigFileNothingIsWatched() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let run = try await Deploy.run(
        ["plan.yaml"], command: "apply", files: ["plan.yaml": Self.plan, "network.yaml": EngineTemplates.network],
        simulator: harness, environment: ["VRA_ENGINE_LOG_LEVEL": "debug"])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(!run.stderr.contains("vra-engine.config"), "no config logger without a file")
    }
  }
}
