import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// An environment run as real processes: a second `apply --env` while one runs is refused, and an
/// apply killed (SIGKILL) while its update is in flight in vRA is resumed to the end without sending
/// the update again.
@Suite(.serialized) struct EnvironmentResumeTests {
  static let plan = """
    name: shop
    environment: staging
    defaults: {project: Development}
    stages:
      net: {template: network.yaml}
      db:
        template: sized.yaml
        inputs: {network: "${stages.net.outputs.networkId}", size: small}
    """

  static let sized = EngineTemplates.sizedMachine

  /// Machines take 8 s to create and 4 s to update: long enough to act while one is in flight.
  static func slowMachines(_ configuration: inout SimulatorConfiguration) {
    configuration.timeScale = 0.04
    configuration.durations.resourceTypes["Cloud.Machine"] = 200
  }

  /// A directory with the plan and its templates.
  static func workspace() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("env-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for (name, text) in ["plan.yaml": plan, "network.yaml": EngineTemplates.network, "sized.yaml": sized] {
      try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return directory
  }

  @Test func aKilledUpdateIsResumedWithoutASecondUpdate() async throws {
    try await SimulatorHarness.with(Self.slowMachines) { harness in
      let directory = try Self.workspace()
      defer { try? FileManager.default.removeItem(at: directory) }
      let url = harness.server.baseURL
      let created = try CrashResumeTests.start(["apply", "plan.yaml"], simulator: url, in: directory)
      #expect(try await CrashResumeTests.waitForExit(created) == 0)

      try Self.plan.replacingOccurrences(of: "size: small", with: "size: large")
        .write(to: directory.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
      let session = try await SimulatorSession.start(harness)
      func database() async throws -> Deployment? {
        try await session.get("/deployment/api/deployments?expand=lastRequest").decode(Page<Deployment>.self)
          .content.first { $0.name == "staging-db" }
      }
      let updating = try CrashResumeTests.start(["apply", "plan.yaml"], simulator: url, in: directory)
      let inFlight = try await harness.http.poll(timeout: .seconds(60)) { () -> Deployment? in
        let found = try await database()
        return found?.status == .updateInProgress ? found : nil
      }

      // One run applies the environment at a time.
      let log = directory.appendingPathComponent("second.log")
      let second = try CrashResumeTests.start(
        ["apply", "plan.yaml"], simulator: url, in: directory, standardError: log)
      #expect(try await CrashResumeTests.waitForExit(second) == 2)
      #expect(try String(contentsOf: log, encoding: .utf8).contains("environment staging is being applied by run"))

      kill(updating.processIdentifier, SIGKILL)
      _ = try await CrashResumeTests.waitForExit(updating)
      let store = try await SQLStateStore.openSQLite(at: directory.appendingPathComponent(".vra-engine/state.db").path)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      try await store.close()
      let resumed = try CrashResumeTests.start(
        ["apply", "plan.yaml", "--resume", runId.rawValue], simulator: url, in: directory)
      #expect(try await CrashResumeTests.waitForExit(resumed) == 0)

      let ended = try #require(try await database())
      #expect(ended.id == inFlight.id)
      #expect(ended.status == .updateSuccessful)
      let requests = try await session.get("/deployment/api/deployments/\(try #require(ended.id))/requests")
        .decode(Page<DeploymentRequest>.self).content
      #expect(requests.filter { $0.name == "Update" }.count == 1, "never sent twice: \(requests.map(\.name))")
      let reopened = try await SQLStateStore.openSQLite(
        at: directory.appendingPathComponent(".vra-engine/state.db").path)
      let applied = try await reopened.environmentStages("staging").first { $0.applied.stage == "db" }
      #expect(try await reopened.run(runId)?.status == .succeeded)
      try await reopened.close()
      #expect(applied?.applied.inputs["size"] == .string("large"))
      #expect(applied?.applied.requestId == requests.first { $0.name == "Update" }?.id)
    }
  }

  /// `cancel` from another terminal while an environment's update runs: the update is cancelled in
  /// vRA, the environment keeps what was applied before, and the next apply converges.
  @Test func aCancelledUpdateLeavesTheEnvironmentAsItWasAndTheNextApplyConverges() async throws {
    try await SimulatorHarness.with(Self.slowMachines) { harness in
      let directory = try Self.workspace()
      defer { try? FileManager.default.removeItem(at: directory) }
      let url = harness.server.baseURL
      #expect(
        try await CrashResumeTests.waitForExit(
          CrashResumeTests.start(["apply", "plan.yaml"], simulator: url, in: directory)) == 0)
      try Self.plan.replacingOccurrences(of: "size: small", with: "size: large")
        .write(to: directory.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
      let session = try await SimulatorSession.start(harness)
      func database() async throws -> Deployment? {
        try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self)
          .content.first { $0.name == "staging-db" }
      }
      let updating = try CrashResumeTests.start(["apply", "plan.yaml"], simulator: url, in: directory)
      let inFlight = try await harness.http.poll(timeout: .seconds(60)) { () -> Deployment? in
        let found = try await database()
        return found?.status == .updateInProgress ? found : nil
      }
      let state = directory.appendingPathComponent(".vra-engine/state.db").path
      let store = try await SQLStateStore.openSQLite(at: state)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      try await store.close()
      let cancel = try CrashResumeTests.start(["cancel", runId.rawValue], simulator: url, in: directory)
      #expect(try await CrashResumeTests.waitForExit(cancel) == 0)
      #expect(try await CrashResumeTests.waitForExit(updating) == 130)

      let deploymentId = try #require(inFlight.id)
      let requests = try await session.get("/deployment/api/deployments/\(deploymentId)/requests")
        .decode(Page<DeploymentRequest>.self).content
      #expect(requests.first { $0.name == "Update" }?.status == .aborted, "\(requests.map { $0.status })")
      let reopened = try await SQLStateStore.openSQLite(at: state)
      let applied = try await reopened.environmentStages("staging").first { $0.applied.stage == "db" }?.applied
      #expect(try await reopened.run(runId)?.status == .cancelled)
      try await reopened.close()
      #expect(applied?.inputs["size"] == .string("small"), "a cancelled update applied nothing")

      let again = try CrashResumeTests.start(["apply", "plan.yaml"], simulator: url, in: directory)
      #expect(try await CrashResumeTests.waitForExit(again) == 0)
      let ended = try #require(try await database())
      #expect(ended.id == deploymentId)
      #expect(ended.inputs?["size"] == .string("large"))
    }
  }
}
