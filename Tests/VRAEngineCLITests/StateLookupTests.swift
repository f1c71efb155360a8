import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// Without `--state`, commands find the project's state from any of its subdirectories.
@Suite struct StateLookupTests {
  @Test func runsShowFromASubdirectoryFindsTheProjectsRun() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let project = try Scratch.files(
        [
          "plan.yaml": "name: one\ndefaults: {project: Development}\nstages:\n  net: {template: network.yaml}\n",
          "network.yaml": EngineTemplates.network, "sub/deeper/notes.txt": "",
        ], in: Scratch.directory())
      let environment = CLIHarness.credentials(harness)
      let applied = try await CLIHarness.run(
        ["apply", project.path + "/plan.yaml", "--output", "json"], environment: environment, directory: project)
      #expect(applied.status == 0, "\(applied.stderr)")
      let runId = try #require((try applied.json()["run"] as? [String: Any])?["id"] as? String)
      let state = project.appendingPathComponent(".vra-engine/state.db").path
      #expect(FileManager.default.fileExists(atPath: state))

      let deeper = project.appendingPathComponent("sub/deeper")
      let shown = try await CLIHarness.run(["runs", "show", runId], environment: environment, directory: deeper)
      #expect(shown.status == 0, "\(shown.stderr)")
      #expect(shown.stdout.hasPrefix("run \(runId): succeeded"), "\(shown.stdout)")
      let listed = try await CLIHarness.run(["runs"], directory: deeper)
      #expect(listed.stdout.contains(runId))

      // A run it does not have: the file it looked in is named.
      let missing = try await CLIHarness.run(["runs", "show", "feedbeef"], directory: deeper)
      #expect(missing.status == 2)
      #expect(missing.stderr.hasPrefix("error: no run feedbeef in \(state)\n"), "\(missing.stderr)")
      #expect(missing.stderr.contains("hint: without --state or state.url"))

      // Outside the project nothing is found, and the file looked for is named.
      let elsewhere = try Scratch.directory()
      let none = try await CLIHarness.run(["runs", "show", runId], directory: elsewhere)
      #expect(none.status == 2)
      #expect(
        none.stderr.hasPrefix("error: no state database at \(elsewhere.path)/.vra-engine/state.db"), "\(none.stderr)")
    }
  }
}
