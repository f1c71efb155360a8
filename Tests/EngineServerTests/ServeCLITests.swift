import Foundation
import TestSupport
import Testing
import VRAModels

@testable import EngineServer

/// The CLI through a live `serve` (`--server`), as a pipeline runs it: the real binary, the same
/// output and exit codes as a local run.
@Suite("serve: the CLI through the server")
struct ServeCLITests {
  static let failing = """
    formatVersion: 1
    resources:
      fail-net: {type: Cloud.Network, properties: {}}
    """

  /// Runs `vra-engine ARGUMENTS` in `directory` against `fixture`'s server as `tenant`.
  static func cli(
    _ arguments: [String], in directory: URL, fixture: ServeFixture, token: String
  ) async throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = try VRAEngineBinary.url
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("VRA_") }
    environment["VRA_ENGINE_SERVER"] = fixture.running.baseURL
    environment["VRA_ENGINE_TOKEN"] = token
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    let collectedOut = LogCollector()
    let collectedErr = LogCollector()
    out.fileHandleForReading.readabilityHandler = { collectedOut.append($0.availableData) }
    err.fileHandleForReading.readabilityHandler = { collectedErr.append($0.availableData) }
    let status = try await ChildProcess.run(process)
    // What is left in the pipes after the process ended.
    out.fileHandleForReading.readabilityHandler = nil
    err.fileHandleForReading.readabilityHandler = nil
    collectedOut.append(out.fileHandleForReading.readDataToEndOfFile())
    collectedErr.append(err.fileHandleForReading.readDataToEndOfFile())
    return (status, collectedOut.text, collectedErr.text)
  }

  static func checkout(plan: String, templates: [String: String]) throws -> URL {
    let directory = try Scratch.directory()
    try Data(plan.utf8).write(to: directory.appendingPathComponent("plan.yaml"))
    for (path, text) in templates {
      let url = directory.appendingPathComponent(path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
    }
    return directory
  }

  @Test func applyRunsShowAndDestroyThroughTheServerExitAsLocally() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let checkout = try Self.checkout(
        plan: ServeFixture.plan(), templates: ["templates/network.yaml": EngineTemplates.network])

      let applied = try await Self.cli(
        ["apply", "plan.yaml", "--output", "json"], in: checkout, fixture: fixture, token: a.token)
      #expect(applied.status == 0, "\(applied.err)")
      let report = try JSONDecoder().decode(JSONValue.self, from: Data(applied.out.utf8))
      let id = try #require(report["run"]?["id"]?.stringValue)
      #expect(report["run"]?["status"]?.stringValue == "succeeded")
      // The same report the API serves.
      let served = try await fixture.http.call(.GET, "/api/v1/runs/\(id)", token: a.token)
      #expect(served.json == report)

      let listed = try await Self.cli(["runs"], in: checkout, fixture: fixture, token: a.token)
      #expect(listed.status == 0)
      #expect(listed.out.contains(id))
      let shown = try await Self.cli(["runs", "show", id], in: checkout, fixture: fixture, token: a.token)
      #expect(shown.status == 0)
      #expect(shown.out.contains("net"))
      // Another tenant's run is unknown: exit 2, as for a run that does not exist.
      let other = try await Self.cli(
        ["runs", "show", id], in: checkout, fixture: fixture, token: ServeFixture.teamB.token)
      #expect(other.status == 2)

      let destroyed = try await Self.cli(["destroy", id, "-y"], in: checkout, fixture: fixture, token: a.token)
      #expect(destroyed.status == 0, "\(destroyed.err)")
      _ = try await fixture.waitForStatus(a, run: id, in: ["destroyed"])
      for output in [applied.out, applied.err, listed.out, shown.out, destroyed.err] {
        #expect(!output.contains(a.token) && !output.contains(a.password))
      }
    }
  }

  @Test func aFailedStageAnInvalidPlanAndABadTokenExitAsTheyDoLocally() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let failing = try Self.checkout(
        plan: ServeFixture.plan(), templates: ["templates/network.yaml": Self.failing])
      let failed = try await Self.cli(["apply", "plan.yaml"], in: failing, fixture: fixture, token: a.token)
      #expect(failed.status == 1, "\(failed.err)")

      let invalid = try Self.checkout(
        plan: ServeFixture.plan() + "\n  extra: {template: templates/missing.yaml}\n",
        templates: ["templates/network.yaml": EngineTemplates.network])
      let refused = try await Self.cli(["apply", "plan.yaml"], in: invalid, fixture: fixture, token: a.token)
      #expect(refused.status == 2, "\(refused.err)")

      let unauthenticated = try await Self.cli(["runs"], in: failing, fixture: fixture, token: "vre_wrong")
      #expect(unauthenticated.status == 3, "\(unauthenticated.err)")
      #expect(!unauthenticated.err.contains("vre_wrong"), "the token is never printed")
    }
  }
}
