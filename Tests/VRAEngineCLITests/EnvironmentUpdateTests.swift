import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// Changes to an applied environment: updates in place, a failed update rolled back, stages removed
/// from the plan. Against the simulator over HTTP, one state file per test.
@Suite(.serialized) struct EnvironmentUpdateTests {
  static let plan = """
    name: shop
    environment: staging
    defaults: {project: Development, rollback: on-failure}
    stages:
      net: {template: network.yaml, inputs: {cidr: 10.1.0.0/24}}
      db:
        template: sized.yaml
        inputs: {network: "${stages.net.outputs.networkId}", size: small}
    """

  /// A machine whose size is an input (its flavor: an update in place).
  static let sized = EngineTemplates.sizedMachine

  static func workspace() throws -> URL {
    let directory = try EnvironmentCommandsTests.workspace(plan)
    try sized.write(to: directory.appendingPathComponent("sized.yaml"), atomically: true, encoding: .utf8)
    return directory
  }

  static func write(_ plan: String, in directory: URL) throws {
    try plan.write(to: directory.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
  }

  static func deployment(_ name: String, _ harness: SimulatorHarness) async throws -> Deployment? {
    try await EnvironmentCommandsTests.deployments(harness).first { $0.name == name }
  }

  static func requests(_ deploymentId: String, _ harness: SimulatorHarness) async throws -> [DeploymentRequest] {
    let session = try await SimulatorSession.start(harness)
    return try await session.get("/deployment/api/deployments/\(deploymentId)/requests").decode(
      Page<DeploymentRequest>.self
    ).content
  }

  static func applied(_ directory: URL) async throws -> [String: AppliedStage] {
    let store = try await SQLStateStore.openSQLite(at: directory.appendingPathComponent(".vra-engine/state.db").path)
    let stages = try await store.environmentStages("staging")
    try await store.close()
    return Dictionary(uniqueKeysWithValues: stages.map { ($0.applied.stage, $0.applied) })
  }

  @Test func anInputChangeIsOneUpdateOfTheSameDeployment() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Self.workspace()
      let first = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(first.status == 0, "\(first.everything)")
      let before = try #require(try await Self.deployment("staging-db", harness))
      try Self.write(Self.plan.replacingOccurrences(of: "size: small", with: "size: large"), in: directory)

      let planned = try await CLIHarness.run(["plan", "plan.yaml"], in: directory, harness: harness)
      #expect(planned.stdout.contains("~ db: update staging-db"), "\(planned.stdout)")
      #expect(planned.stdout.contains("resource vm (Cloud.Machine): UPDATE"), "vRA's what-if: \(planned.stdout)")
      let creates = await harness.server.stats().count(EnvironmentCommandsTests.creates)

      let updated = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(updated.status == 0, "\(updated.stderr)")
      let after = try #require(try await Self.deployment("staging-db", harness))
      #expect(after.id == before.id, "updated in place")
      #expect(after.status == .updateSuccessful)
      #expect(after.inputs?["size"] == .string("large"))
      let requests = try await Self.requests(try #require(after.id), harness)
      #expect(requests.filter { $0.name == "Update" }.count == 1, "\(requests.map(\.name))")
      #expect(
        await harness.server.stats().count(EnvironmentCommandsTests.creates) == creates + 1,
        "one update request; the unchanged network sent nothing")
      #expect(try await Self.applied(directory)["db"]?.inputs["size"] == .string("large"))
      let settled = try await CLIHarness.run(
        ["plan", "plan.yaml", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(settled.status == 0, "\(settled.stdout)")
    }
  }

  /// The network's update succeeds, the machine's fails: the run fails, the network is returned to
  /// its previous inputs by another update, and the environment keeps what vRA has. Once the fault
  /// is gone, the next apply converges.
  @Test func aFailedUpdateIsRolledBackToTheLastAppliedInputs() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 0.004; $0.faults.enabled = true
    }) { harness in
      let directory = try Self.workspace()
      #expect(try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness).status == 0)
      let net = try #require(try await Self.deployment("staging-net", harness)?.id)
      try await harness.server.setFailUpdates(["staging-db"])
      let changed = Self.plan.replacingOccurrences(of: "10.1.0.0/24", with: "10.9.0.0/24")
        .replacingOccurrences(of: "size: small", with: "size: large")
      try Self.write(changed, in: directory)

      let failed = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(failed.status == 1, "\(failed.stderr)")
      #expect(failed.everything.contains("the update failed"), "\(failed.everything)")
      let network = try #require(try await Self.deployment("staging-net", harness))
      #expect(network.id == net)
      #expect(network.inputs?["cidr"] == .string("10.1.0.0/24"), "the network's update was rolled back")
      let updates = try await Self.requests(net, harness).filter { $0.name == "Update" }
      #expect(updates.count == 2, "the update and its rollback")
      let applied = try await Self.applied(directory)
      #expect(applied["net"]?.inputs["cidr"] == .string("10.1.0.0/24"))
      #expect(applied["db"]?.inputs["size"] == .string("small"), "the failed update changed nothing kept")

      try await harness.server.setFailUpdates([])
      let repaired = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(repaired.status == 0, "\(repaired.stderr)")
      #expect(try await Self.deployment("staging-db", harness)?.inputs?["size"] == .string("large"))
      #expect(try await Self.applied(directory)["net"]?.inputs["cidr"] == .string("10.9.0.0/24"))
    }
  }

  /// Someone updates the deployment in vRA, outside vra-engine: `plan` shows it as drift (from the last
  /// successful request's inputs), apart from the plan's own changes, and `apply` puts it back.
  @Test func anUpdateMadeOutsideIsDriftAndRepaired() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Self.workspace()
      #expect(try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness).status == 0)
      let db = try #require(try await Self.deployment("staging-db", harness))
      let session = try await SimulatorSession.start(harness)
      let project = try #require(db.projectId)
      let network = try #require(db.inputs?["network"])
      let outside = try await session.post(
        "/blueprint/api/blueprint-requests",
        [
          "deploymentId": .string(try #require(db.id)), "projectId": .string(project), "content": .string(Self.sized),
          "inputs": ["network": network, "size": "large"], "reason": "changed by hand",
        ])
      #expect(outside.status == 202, "\(outside.json)")
      _ = try await harness.http.poll(timeout: .seconds(30)) { () -> Bool? in
        try await Self.deployment("staging-db", harness)?.status == .updateSuccessful ? true : nil
      }

      let planned = try await CLIHarness.run(
        ["plan", "plan.yaml", "--output", "json", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(planned.status == 5)
      let stages = try #require(try planned.json()["stages"] as? [[String: Any]])
      let change = try #require(stages.first { $0["stage"] as? String == "db" })
      #expect(change["action"] as? String == "update")
      #expect((change["inputChanges"] as? [Any])?.isEmpty == true, "the plan itself changed nothing")
      let drift = try #require((change["drift"] as? [[String: Any]])?.first)
      #expect(drift["kind"] as? String == "inputs-changed")
      let driftInputs = try #require(drift["inputs"] as? [[String: Any]])
      #expect(driftInputs.first?["name"] as? String == "size")
      #expect(driftInputs.first?["after"] as? String == "large")

      let repaired = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(repaired.status == 0, "\(repaired.stderr)")
      #expect(try await Self.deployment("staging-db", harness)?.inputs?["size"] == .string("small"))
      let settled = try await CLIHarness.run(
        ["plan", "plan.yaml", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(settled.status == 0, "\(settled.stdout)")
    }
  }

  /// vRA runs one request at a time per deployment: an apply that finds an update made outside still
  /// running waits for it, then sends its own (instead of failing on vRA's 409).
  @Test func anUpdateWaitsForARequestInProgress() async throws {
    let slowMachines: (inout SimulatorConfiguration) -> Void = {
      $0.timeScale = 0.004
      $0.durations.resourceTypes["Cloud.Machine"] = 1500  // 6 s to create, 3 s to update
    }
    try await SimulatorHarness.with(slowMachines) { harness in
      let directory = try Self.workspace()
      #expect(try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness).status == 0)
      let db = try #require(try await Self.deployment("staging-db", harness))
      let session = try await SimulatorSession.start(harness)
      let outside = try await session.post(
        "/blueprint/api/blueprint-requests",
        [
          "deploymentId": .string(try #require(db.id)), "projectId": .string(try #require(db.projectId)),
          "content": .string(Self.sized), "inputs": ["network": try #require(db.inputs?["network"]), "size": "small"],
        ])
      #expect(outside.status == 202)
      #expect(try await Self.deployment("staging-db", harness)?.status == .updateInProgress)
      try Self.write(Self.plan.replacingOccurrences(of: "size: small", with: "size: large"), in: directory)

      let applied = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(applied.status == 0, "\(applied.everything)")
      let after = try #require(try await Self.deployment("staging-db", harness))
      #expect(after.status == .updateSuccessful)
      #expect(after.inputs?["size"] == .string("large"))
      let updates = try await Self.requests(try #require(after.id), harness).filter { $0.name == "Update" }
      #expect(updates.count == 2, "the one made outside, then ours")
      #expect(updates.allSatisfy { $0.status == .successful })
    }
  }

  /// A blueprint stage updates when the plan names a new version (a blueprint request with the
  /// version and `deploymentId`); a catalog item stage updates its inputs through the deployment's
  /// `Deployment.Update` action. Both keep their deployment.
  @Test func blueprintAndCatalogItemStagesUpdateInPlace() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprint = try await session.createBlueprint(name: "sized", content: Self.sized)
      for version in ["1", "2"] {
        let answer = try await session.post(
          "/blueprint/api/blueprints/\(blueprint)/versions", ["version": .string(version), "release": true])
        #expect(answer.status == 201, "\(answer.json)")
      }
      let plan = """
        name: shop
        environment: staging
        defaults: {project: Development}
        stages:
          net: {template: network.yaml}
          db:
            blueprint: {name: sized, version: "1"}
            inputs: {network: "${stages.net.outputs.networkId}", size: small}
          cache:
            catalogItem: sized
            inputs: {network: "${stages.net.outputs.networkId}", size: small}
        """
      let directory = try Self.workspace()
      try Self.write(plan, in: directory)
      let first = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(first.status == 0, "\(first.everything)")
      let db = try #require(try await Self.deployment("staging-db", harness))
      let cache = try #require(try await Self.deployment("staging-cache", harness))

      try Self.write(
        plan.replacingOccurrences(of: "version: \"1\"", with: "version: \"2\"")
          .replacingOccurrences(
            of: "catalogItem: sized\n    inputs: {network: \"${stages.net.outputs.networkId}\", size: small}",
            with: "catalogItem: sized\n    inputs: {network: \"${stages.net.outputs.networkId}\", size: large}"),
        in: directory)
      let planned = try await CLIHarness.run(["plan", "plan.yaml"], in: directory, harness: harness)
      #expect(planned.stdout.contains("~ db: update"), "\(planned.stdout)")
      #expect(planned.stdout.contains("blueprint version 1 → 2"), "\(planned.stdout)")
      #expect(planned.stdout.contains("~ cache: update"), "\(planned.stdout)")
      #expect(planned.stdout.contains("no what-if for a catalog item"), "\(planned.stdout)")

      let updated = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(updated.status == 0, "\(updated.everything)")
      #expect(await harness.server.stats().count("POST /deployment/api/deployments/{deploymentId}/requests") == 1)
      let newDb = try #require(try await Self.deployment("staging-db", harness))
      #expect(newDb.id == db.id)
      #expect(newDb.blueprintVersion == "2")
      let newCache = try #require(try await Self.deployment("staging-cache", harness))
      #expect(newCache.id == cache.id)
      #expect(newCache.inputs?["size"] == .string("large"))
      let settled = try await CLIHarness.run(
        ["plan", "plan.yaml", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(settled.status == 0, "\(settled.stdout)")
    }
  }

  /// A blueprint stage without a version deploys the blueprint's current content: editing the
  /// blueprint in vRA shows in `plan` as an update, which `apply` sends in place; then nothing is
  /// pending.
  @Test func anUnpinnedBlueprintEditedInVRAIsAnUpdate() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprint = try await session.createBlueprint(name: "sized", content: Self.sized)
      let plan = """
        name: shop
        environment: staging
        defaults: {project: Development}
        stages:
          net: {template: network.yaml}
          db:
            blueprint: sized
            inputs: {network: "${stages.net.outputs.networkId}", size: small}
        """
      let directory = try Self.workspace()
      try Self.write(plan, in: directory)
      let first = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(first.status == 0, "\(first.everything)")
      let db = try #require(try await Self.deployment("staging-db", harness))
      let unchanged = try await CLIHarness.run(
        ["plan", "plan.yaml", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(unchanged.status == 0, "nothing changed yet: \(unchanged.stdout)")

      let edited = Self.sized.replacingOccurrences(of: "image: ubuntu", with: "image: ubuntu-24")
      let put = try await session.http.call(
        .PUT, "/blueprint/api/blueprints/\(blueprint)", token: session.token,
        json: ["name": "sized", "projectId": .string(session.projectId), "content": .string(edited)])
      #expect(put.status == 200, "\(put.json)")
      let planned = try await CLIHarness.run(
        ["plan", "plan.yaml", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(planned.status == 5, "\(planned.stdout)\(planned.stderr)")
      #expect(planned.stdout.contains("~ db: update"), "\(planned.stdout)")
      #expect(planned.stdout.contains("blueprint sized changed in vRA"), "\(planned.stdout)")

      let updated = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(updated.status == 0, "\(updated.everything)")
      let after = try #require(try await Self.deployment("staging-db", harness))
      #expect(after.id == db.id, "updated in place")
      let resources = try await session.get("/deployment/api/deployments/\(try #require(after.id))/resources")
        .decode(Page<DeploymentResource>.self).content
      let image = resources.first { $0.name == "vm" }?.properties?["image"]?.stringValue
      #expect(image == "ubuntu-24", "the edited content deployed: \(image ?? "nil")")
      let settled = try await CLIHarness.run(
        ["plan", "plan.yaml", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(settled.status == 0, "\(settled.stdout)")
    }
  }

  @Test func aRemovedStageIsDeletedOnlyWithPrune() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Self.workspace()
      #expect(try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness).status == 0)
      try Self.write(
        """
        name: shop
        environment: staging
        defaults: {project: Development}
        stages:
          net: {template: network.yaml, inputs: {cidr: 10.1.0.0/24}}
        """, in: directory)
      let planned = try await CLIHarness.run(
        ["plan", "plan.yaml", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(planned.status == 0, "a plain apply deletes nothing: \(planned.stdout)")
      #expect(planned.stdout.contains("- db: delete staging-db"), "\(planned.stdout)")
      #expect(planned.stdout.contains("1 no longer in the plan and kept"), "\(planned.stdout)")
      let pruning = try await CLIHarness.run(
        ["plan", "plan.yaml", "--prune", "--detailed-exitcode"], in: directory, harness: harness)
      #expect(pruning.status == 5, "\(pruning.stdout)")

      let kept = try await CLIHarness.run(["apply", "plan.yaml"], in: directory, harness: harness)
      #expect(kept.status == 0, "\(kept.stderr)")
      #expect(try await Self.deployment("staging-db", harness) != nil, "kept without --prune")
      #expect(try await Self.applied(directory)["db"] != nil)

      let pruned = try await CLIHarness.run(["apply", "plan.yaml", "--prune"], in: directory, harness: harness)
      #expect(pruned.status == 0, "\(pruned.stderr)")
      _ = try await harness.http.poll(timeout: .seconds(30)) { () -> Bool? in
        try await Self.deployment("staging-db", harness) == nil ? true : nil
      }
      #expect(try await Self.applied(directory).keys.sorted() == ["net"])
      #expect(try await Self.deployment("staging-net", harness) != nil)
    }
  }
}
