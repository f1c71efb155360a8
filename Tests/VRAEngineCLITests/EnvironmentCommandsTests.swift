import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// `apply --env`, `plan --env` and `envs` as an operator uses them, one after another on one state
/// file and one simulator: the first apply creates, the next ones converge.
@Suite(.serialized) struct EnvironmentCommandsTests {
  static let creates = "POST /blueprint/api/blueprint-requests"

  static let plan = """
    name: shop
    environment: staging
    defaults: {project: Development}
    stages:
      net: {template: network.yaml, inputs: {cidr: 10.1.0.0/24}}
      db:
        template: machine.yaml
        inputs: {network: "${stages.net.outputs.networkId}"}
    """

  static func workspace(_ plan: String = plan) throws -> URL {
    try Scratch.files(
      ["plan.yaml": plan, "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine],
      in: Scratch.directory())
  }

  static func deployments(_ harness: SimulatorHarness) async throws -> [Deployment] {
    let session = try await SimulatorSession.start(harness)
    return try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content
  }

  @Test func applyConvergesAndPlanShowsWhatDiffers() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Self.workspace()
      let planned = try await CLIHarness.run(
        ["plan", "plan.yaml", "--detailed-exitcode", "--output", "json"], in: directory, harness: harness)
      #expect(planned.status == 5, "changes pending: \(planned.stderr)")
      let stages = try #require(try planned.json()["stages"] as? [[String: Any]])
      #expect(stages.map { $0["action"] as? String } == ["create", "create"])

      let applied = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(applied.status == 0, "\(applied.stderr)")
      let names = try await Self.deployments(harness).compactMap(\.name).sorted()
      #expect(names == ["staging-db", "staging-net"], "stable names <env>-<stage>")
      #expect(await harness.server.stats().count(Self.creates) == 2)

      // Nothing changed: no creating or updating call at all, and the plan says so.
      let again = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(again.status == 0, "\(again.stderr)")
      #expect(await harness.server.stats().count(Self.creates) == 2)
      #expect(await harness.server.stats().count("POST /deployment/api/deployments/{deploymentId}/requests") == 0)
      let unchanged = try await CLIHarness.run(
        ["plan", "plan.yaml", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(unchanged.status == 0, "\(unchanged.stdout)\(unchanged.stderr)")
      #expect(unchanged.stdout.contains("no changes"))

      // An input changed: an update of that stage only, showing the difference.
      try Self.plan.replacingOccurrences(of: "10.1.0.0/24", with: "10.2.0.0/24")
        .write(to: directory.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
      let changed = try await CLIHarness.run(
        ["plan", "plan.yaml", "--no-what-if", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(changed.status == 5)
      #expect(changed.stdout.contains("~ net: update staging-net"), "\(changed.stdout)")
      #expect(changed.stdout.contains(#"input cidr: "10.1.0.0/24" → "10.2.0.0/24""#), "\(changed.stdout)")
      #expect(changed.stdout.contains("  db: no-op"), "\(changed.stdout)")

      // A deployment deleted outside is drift, shown and repaired by the next apply.
      try Self.plan.write(to: directory.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
      let session = try await SimulatorSession.start(harness)
      let db = try #require(try await Self.deployments(harness).first { $0.name == "staging-db" }?.id)
      _ = try await session.delete("/deployment/api/deployments/\(db)")
      _ = try await harness.http.poll(timeout: .seconds(30)) { () -> Bool? in
        try await Self.deployments(harness).contains { $0.id == db } ? nil : true
      }
      let drifted = try await CLIHarness.run(
        ["plan", "plan.yaml", "--output", "json"], in: directory, harness: harness)
      let driftStages = try #require(try drifted.json()["stages"] as? [[String: Any]])
      let dbChange = try #require(driftStages.first { $0["stage"] as? String == "db" })
      #expect(dbChange["action"] as? String == "create")
      #expect((dbChange["drift"] as? [[String: Any]])?.first?["kind"] as? String == "deployment-deleted")
      let repaired = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(repaired.status == 0, "\(repaired.stderr)")
      #expect(await harness.server.stats().count(Self.creates) == 3, "only the deleted stage was created again")
      #expect(try await Self.deployments(harness).compactMap(\.name).sorted() == ["staging-db", "staging-net"])

      let listed = try await CLIHarness.run(["envs"], in: directory, harness: harness)
      #expect(listed.stdout.contains("staging"))
      let shown = try await CLIHarness.run(
        ["envs", "show", "staging", "--output", "json"], in: directory, harness: harness)
      let shownStages = try #require(try shown.json()["stages"] as? [[String: Any]])
      #expect(shownStages.count == 2)
      let missing = try await CLIHarness.run(["envs", "show", "nosuch"], in: directory, harness: harness)
      #expect(missing.status == 2)
    }
  }

  /// A secret input is kept only as a digest: never in the state file, `envs show` or `plan`, yet a
  /// changed secret is an update and an unchanged one is not.
  @Test func secretInputsAreComparedByDigestOnly() async throws {
    let canary = "canary-Env-Secret-77"
    let plan = """
      name: shop
      defaults: {project: Development}
      stages:
        web:
          template: web.yaml
          inputs: {cidr: 10.3.0.0/24}
          secrets: {password: "env:WEB_PASSWORD"}
      """
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Scratch.files(["plan.yaml": plan, "web.yaml": EngineTemplates.web], in: Scratch.directory())
      let secret = ["WEB_PASSWORD": canary]
      let applied = try await CLIHarness.run(
        ["apply", "plan.yaml", "--env", "qa"], in: directory, harness: harness, environment: secret)
      #expect(applied.status == 0, "\(applied.stderr)")
      let shown = try await CLIHarness.run(
        ["envs", "show", "qa", "--output", "json"], in: directory, harness: harness)
      #expect(shown.status == 0)
      let store = try await SQLStateStore.openSQLite(at: directory.appendingPathComponent(".vra-engine/state.db").path)
      let stage = try #require(try await store.environmentStages("qa").first?.applied)
      try await store.close()
      #expect(stage.secretInputs == ["password"])
      #expect(stage.inputs["password"]?.stringValue?.hasPrefix("sha256:") == true, "\(stage.inputs)")
      let same = try await CLIHarness.run(
        ["plan", "plan.yaml", "--env", "qa", "--detailed-exitcode"], in: directory, harness: harness,
        environment: secret)
      #expect(same.status == 0, "the same secret is no change: \(same.stdout)\(same.stderr)")
      let changed = try await CLIHarness.run(
        ["plan", "plan.yaml", "--env", "qa", "--no-what-if", "--detailed-exitcode"], in: directory, harness: harness,
        environment: ["WEB_PASSWORD": canary + "-rotated"])
      #expect(changed.status == 5)
      #expect(changed.stdout.contains("input password: (secret changed)"), "\(changed.stdout)")
      let database = try Data(contentsOf: directory.appendingPathComponent(".vra-engine/state.db"))
      let wal = (try? Data(contentsOf: directory.appendingPathComponent(".vra-engine/state.db-wal"))) ?? Data()
      for (what, text) in [
        ("apply", applied.everything), ("envs show", shown.everything), ("plan", same.everything + changed.everything),
        ("the state file", String(decoding: database + wal, as: UTF8.self)),
      ] {
        #expect(!text.contains(canary), "\(what) shows the secret")
      }
    }
  }

  /// One run applies an environment at a time; its runs cannot be destroyed one by one; a name that
  /// changes with every run is refused before anything is sent.
  @Test func refusalsNameTheReasonAndSendNothing() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Self.workspace()
      let applied = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(applied.status == 0, "\(applied.stderr)")
      let store = try await SQLStateStore.openSQLite(at: directory.appendingPathComponent(".vra-engine/state.db").path)
      let first = try #require(try await store.runs(limit: 1).first?.id)
      // A run of the environment that has not ended (a crashed apply, say).
      let stuck = RunID.generate()
      try await store.claimEnvironment("staging", planName: "shop", run: stuck)
      _ = try await store.createRun(
        id: stuck, planName: "shop", planPath: "plan.yaml", planDigest: "d", options: ["environment": "staging"],
        stages: ["net", "db"], target: nil)
      try await store.close()

      let busy = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(busy.status == 2)
      #expect(busy.stderr.contains("environment staging is being applied by run \(stuck)"), "\(busy.stderr)")
      let destroy = try await CLIHarness.run(["destroy", first.rawValue, "-y"], in: directory, harness: harness)
      #expect(destroy.status == 2)
      #expect(destroy.stderr.contains("applied environment staging"), "\(destroy.stderr)")
      #expect(try await Self.deployments(harness).count == 2, "nothing was deleted")

      let renamed = try Self.workspace(
        Self.plan.replacingOccurrences(
          of: "net: {template: network.yaml,", with: "net: {template: network.yaml, deploymentName: \"n-${run.id}\","))
      let refused = try await CLIHarness.run(["apply", "plan.yaml", "--env", "qa"], in: renamed, harness: harness)
      #expect(refused.status == 2)
      #expect(refused.stderr.contains("plan.yaml:5:"), "the file and line: \(refused.stderr)")
      #expect(refused.stderr.contains("changes with every run"), "\(refused.stderr)")
      #expect(await harness.server.stats().count(Self.creates) == 2)
    }
  }
}
