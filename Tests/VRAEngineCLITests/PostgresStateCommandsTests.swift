import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// The run commands on a PostgreSQL state database, named the three ways a user names it: the
/// environment (`VRA_ENGINE_STATE_URL`), the flag (`--state`) and the config file (`state.url`).
@Suite(.serialized) struct PostgresStateCommandsTests {
  @Test func applyRunsShowAndDestroyWorkOnPostgres() async throws {
    let database = try await PostgresTestCluster.shared().makeDatabase()
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try RunCommandsTests.workspace()
      let applied = try await CLIHarness.run(
        ["apply", "plan.yaml"], in: directory, harness: harness,
        environment: ["VRA_ENGINE_STATE_URL": database.url])
      #expect(applied.status == 0, "\(applied.stderr)")
      #expect(
        !FileManager.default.fileExists(atPath: directory.appendingPathComponent(".vra-engine/state.db").path),
        "nothing went to a SQLite file")

      let listed = try await CLIHarness.run(
        ["runs", "--state", database.url, "--output", "json"], in: directory, harness: harness)
      #expect(listed.status == 0, "\(listed.stderr)")
      let store = try await SQLStateStore.open(try StateDatabase.parse(database.url))
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      #expect(try await store.run(runId)?.status == .succeeded)
      #expect(listed.stdout.contains(runId.rawValue))

      try "[state]\nurl = \"\(database.url)\"\n".write(
        to: directory.appendingPathComponent("vra-engine.toml"), atomically: true, encoding: .utf8)
      let shown = try await CLIHarness.run(["runs", "show", runId.rawValue], in: directory, harness: harness)
      #expect(shown.status == 0, "\(shown.stderr)")
      #expect(shown.stdout.contains("succeeded"))
      let destroyed = try await CLIHarness.run(["destroy", runId.rawValue, "-y"], in: directory, harness: harness)
      #expect(destroyed.status == 0, "\(destroyed.stderr)")
      #expect(try await store.run(runId)?.status == .destroyed)
      #expect(try await RunCommandsTests.live(runId, harness) == 0)
      let cancelled = try await CLIHarness.run(["cancel", runId.rawValue], in: directory, harness: harness)
      #expect(cancelled.status == 0, "\(cancelled.stderr)")
      #expect(try await store.run(runId)?.status == .destroyed, "a finished run stays as it ended")
      try await store.close()
    }
  }

  /// The password comes from `state.password`, here a reference to another variable; it never
  /// shows, and without it the server's refusal is the error.
  @Test func thePasswordIsASecretReference() async throws {
    let cluster = try await PostgresTestCluster.shared()
    let database = try await cluster.makeDatabase(owner: .passwordUser)
    let withReference = try await CLIHarness.run(
      ["runs", "--state", database.urlWithoutPassword, "--output", "json"],
      environment: ["VRA_ENGINE_STATE_PASSWORD": "env:STATE_DB_SECRET", "STATE_DB_SECRET": cluster.password])
    #expect(withReference.status == 0, "\(withReference.stderr)")
    #expect(!withReference.stdout.contains(cluster.password) && !withReference.stderr.contains(cluster.password))

    let without = try await CLIHarness.run(["runs", "--state", database.urlWithoutPassword])
    #expect(without.status == 2)
    #expect(without.stderr.contains("password"), "\(without.stderr)")
    let wrong = try await CLIHarness.run(
      ["runs", "--state", database.urlWithoutPassword], environment: ["VRA_ENGINE_STATE_PASSWORD": "not-it-canary"])
    #expect(wrong.status == 2)
    #expect(!wrong.stderr.contains("not-it-canary"), "\(wrong.stderr)")
  }

  /// A bad URL or an unreachable server is an error naming the part or the server, exit 2, and
  /// never shows the password written in the URL.
  @Test func badStateURLsAreNamedWithoutThePassword() async throws {
    let canary = "pg-canary-7f3a9"
    let unknownParameter = try await CLIHarness.run(
      ["runs", "--state", "postgres://vra:\(canary)@127.0.0.1/db?sslmode=sometimes"])
    #expect(unknownParameter.status == 2)
    #expect(unknownParameter.stderr.contains("sslmode"), "\(unknownParameter.stderr)")
    #expect(!unknownParameter.stderr.contains(canary))

    let unreachable = try await CLIHarness.run(
      ["runs", "--state", "postgres://vra:\(canary)@127.0.0.1:1/db?connect_timeout=2"])
    #expect(unreachable.status == 2)
    #expect(unreachable.stderr.contains("postgres://vra@127.0.0.1:1/db"), "\(unreachable.stderr)")
    #expect(!unreachable.stderr.contains(canary))
    #expect(!unreachable.stdout.contains(canary))
  }
}
