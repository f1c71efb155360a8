import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// `actions`, `action` and action stages as an operator uses them, against the simulator on
/// 127.0.0.1: a deployment made with `deploy`, then acted on, with and without approvals.
@Suite(.serialized) struct DayTwoActionsTests {
  static let machine = """
    formatVersion: 1
    resources:
      vm:
        type: Cloud.vSphere.Machine
        properties: {image: ubuntu, cpuCount: 2, totalMemoryMB: 2048}
    outputs:
      address: {value: '${resource.vm.address}'}
    """
  static let deploymentRequests = "POST /deployment/api/deployments/{deploymentId}/requests"
  static let resourceRequests = "POST /deployment/api/deployments/{deploymentId}/resources/{resourceId}/requests"

  /// A directory with the template, and `web-1` deployed from it.
  static func deployed(_ harness: SimulatorHarness) async throws -> URL {
    let directory = try Scratch.files(["vm.yaml": machine], in: Scratch.directory())
    let deployed = try await run(
      ["deploy", "--template", "vm.yaml", "--project", "Development", "--name", "web-1"], directory, harness)
    #expect(deployed.status == 0, "\(deployed.stderr)")
    return directory
  }

  static func run(
    _ arguments: [String], _ directory: URL, _ harness: SimulatorHarness
  ) async throws -> CLIHarness.Outcome {
    try await CLIHarness.run(
      arguments + ["--state", directory.appendingPathComponent("state.db").path], in: directory, harness: harness)
  }

  static func deployment(_ harness: SimulatorHarness, _ name: String = "web-1") async throws -> Deployment {
    let session = try await SimulatorSession.start(harness)
    let page = try await session.get("/deployment/api/deployments?expand=resources,lastRequest")
      .decode(Page<Deployment>.self)
    return try #require(page.content.first { $0.name == name })
  }

  static func machineProperty(_ harness: SimulatorHarness, _ key: String) async throws -> JSONValue? {
    try await deployment(harness).resources?.first { $0.name == "vm" }?.properties?[key]
  }

  @Test func actionsListsTheDeploymentsAndItsMachinesActionsWithTheirSchemas() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let directory = try await Self.deployed(harness)
      let listed = try await Self.run(["actions", "web-1", "--output", "json"], directory, harness)
      #expect(listed.status == 0, "\(listed.stderr)")
      let json = try listed.json()
      let actions = try #require(json["actions"] as? [[String: Any]])
      let valid = Dictionary(actions.map { ($0["id"] as? String ?? "", $0["valid"] as? Bool) }) { $1 }
      #expect(valid["Deployment.PowerOff"] == true, "the machine is on")
      #expect(valid["Deployment.PowerOn"] == false)
      let resources = try #require(json["resources"] as? [[String: Any]])
      let vm = try #require(resources.first { $0["name"] as? String == "vm" })
      let resize = try #require(
        (vm["actions"] as? [[String: Any]])?.first { $0["id"] as? String == "Cloud.vSphere.Machine.Resize" })
      let properties = (resize["schema"] as? [String: Any])?["properties"] as? [String: Any]
      #expect(properties?["cpuCount"] != nil, "\(resize)")

      let text = try await Self.run(["actions", "web-1"], directory, harness)
      #expect(text.stdout.contains("Deployment.PowerOff"), "\(text.stdout)")
      #expect(text.stdout.contains("input cpuCount: integer"), "\(text.stdout)")

      let missing = try await Self.run(["actions", "web-2"], directory, harness)
      #expect(missing.status == 2)
      #expect(missing.stderr.contains("no deployment 'web-2'"))
    }
  }

  @Test func badInputsAndAnInvalidActionAreRefusedBeforeAnythingIsSent() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let directory = try await Self.deployed(harness)
      let bad = try await Self.run(
        [
          "action", "web-1", "Cloud.vSphere.Machine.Resize", "--resource", "vm", "--input", "cpuCount=64",
          "--input", "memory=1024",
        ], directory, harness)
      #expect(bad.status == 2, "\(bad.stderr)")
      #expect(bad.stderr.contains("cpuCount"), "\(bad.stderr)")
      #expect(bad.stderr.contains("has no input 'memory'"), "\(bad.stderr)")
      #expect(bad.stderr.contains("nothing was sent"))

      let invalid = try await Self.run(["action", "web-1", "Deployment.PowerOn"], directory, harness)
      #expect(invalid.status == 2, "\(invalid.stderr)")
      #expect(invalid.stderr.contains("not valid"), "\(invalid.stderr)")

      let unknown = try await Self.run(["action", "web-1", "Deployment.PowerOf"], directory, harness)
      #expect(unknown.status == 2)
      #expect(unknown.stderr.contains("did you mean 'Deployment.PowerOff'?"), "\(unknown.stderr)")

      let stats = await harness.server.stats()
      #expect(stats.count(Self.deploymentRequests) == 0 && stats.count(Self.resourceRequests) == 0)
    }
  }

  /// Another client's power-off holds the deployment (it awaits an approval, so it runs as long as
  /// the test wants): the resize waits its turn instead of failing on vRA's 409, is sent once the
  /// deployment is free, and is followed by its own request id, not the deployment's last request.
  @Test func anActionWaitsForARequestInProgressAndIsFollowedByItsOwnId() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let directory = try await Self.deployed(harness)
      try await harness.server.setApprovalPolicies([
        ApprovalPolicy(name: "power", projects: [], actions: ["Deployment.PowerOff"])
      ])
      let session = try await SimulatorSession.start(harness)
      let id = try #require(try await Self.deployment(harness).id)
      let other = try await session.post(
        "/deployment/api/deployments/\(id)/requests", ["actionId": "Deployment.PowerOff", "reason": "someone else"])
      #expect(other.status == 200 || other.status == 202, "\(other.json)")
      let otherId = try #require(other.json["id"]?.stringValue)
      let approval = try await harness.http.poll(timeout: .seconds(30)) {
        try await harness.server.approvals(status: .pending).first
      }

      async let resized = Self.run(
        [
          "action", "web-1", "Cloud.vSphere.Machine.Resize", "--resource", "vm", "--input", "cpuCount=4",
          "--output", "json",
        ], directory, harness)
      // The engine looks at the busy deployment again and again, and sends nothing meanwhile.
      let reads = "GET /deployment/api/deployments/{deploymentId}"
      let before = await harness.server.stats().count(reads)
      _ = try await harness.http.poll(timeout: .seconds(60)) { () -> Bool? in
        await harness.server.stats().count(reads) >= before + 3 ? true : nil
      }
      #expect(await harness.server.stats().count(Self.resourceRequests) == 0, "nothing sent while it is busy")
      _ = try await harness.server.approve(approval.id, reason: nil)

      let result = try await resized
      #expect(result.status == 0, "\(result.stderr)")
      let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(result.stdout.utf8))
      let stage = try #require(report.stages.first)
      #expect(stage.status == "succeeded")
      let requestId = try #require(stage.requestId)
      #expect(requestId != otherId, "followed by its own id")
      let request = try await session.get("/deployment/api/requests/\(requestId)").decode(DeploymentRequest.self)
      #expect(request.actionId == "Cloud.vSphere.Machine.Resize" && request.status == .successful)
      #expect(await harness.server.stats().count(Self.resourceRequests) == 1, "sent once, no 409 on the way")
      #expect(try await Self.machineProperty(harness, "cpuCount") == 4)
      #expect(try await Self.machineProperty(harness, "powerState") == "OFF", "the other request ran first")
    }
  }

  /// An encrypted input of an action (here `Deployment.Update` of a blueprint with one, named like
  /// nothing secret) is a secret: a refused value is not echoed, and an accepted one reaches vRA
  /// and nothing else, neither the output, the logs nor the state database.
  @Test func anEncryptedActionInputNeverShows() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let canary = "canary-Qx7-day2"
      let template = """
        formatVersion: 1
        inputs:
          motd: {type: string, encrypted: true, default: canary-none, pattern: '^canary-[A-Za-z0-9-]+$'}
        resources:
          vm:
            type: Cloud.vSphere.Machine
            properties: {image: ubuntu, motd: '${input.motd}'}
        """
      let session = try await SimulatorSession.start(harness)
      let blueprint = try await session.createBlueprint(name: "app", content: template)
      let requested = try await session.requestDeployment(
        blueprintId: blueprint, name: "app-1", inputs: ["motd": "canary-first"])
      _ = try await session.waitForDeployment(try #require(requested.deploymentId))
      let directory = try Scratch.directory()
      let state = ["--state", directory.appendingPathComponent("state.db").path]
      let debug = ["VRA_ENGINE_LOG_LEVEL": "debug"]

      let refused = try await CLIHarness.run(
        ["action", "app-1", "Deployment.Update", "--input", "motd=\(canary) x"] + state, in: directory,
        harness: harness, environment: debug)
      #expect(refused.status == 2, "\(refused.stderr)")
      #expect(refused.stderr.contains("motd"), "\(refused.stderr)")
      #expect(!refused.stderr.contains(canary), "\(refused.stderr)")

      let acted = try await CLIHarness.run(
        ["action", "app-1", "Deployment.Update", "--input", "motd=\(canary)", "--output", "json"] + state,
        in: directory, harness: harness, environment: debug)
      #expect(acted.status == 0, "\(acted.stderr)")
      #expect(!acted.stdout.contains(canary) && !acted.stderr.contains(canary))
      for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
        let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
        #expect(!String(decoding: bytes, as: UTF8.self).contains(canary), "\(file) holds the canary")
      }
    }
  }

  @Test func anApprovedActionRunsAndTheWaitIsShown() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let directory = try await Self.deployed(harness)
      try await harness.server.setApprovalPolicies([
        ApprovalPolicy(name: "power", projects: [], actions: ["Deployment.PowerOff"])
      ])
      // A timeout far shorter than the time the approval takes: the approval wait does not count.
      async let acted = Self.run(
        ["action", "web-1", "Deployment.PowerOff", "--timeout", "3s"], directory, harness)
      let approval = try await harness.http.poll(timeout: .seconds(30)) {
        try await harness.server.approvals(status: .pending).first
      }
      // Time passes past the stage's 3 s timeout while the request awaits approval (not a wait for
      // an event: the point is that this time is not counted).
      try await Task.sleep(for: .seconds(4))
      _ = try await harness.server.approve(approval.id, reason: "ok")
      let result = try await acted
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stderr.contains("awaiting approval in vRA"), "\(result.stderr)")
      #expect(result.stderr.contains("approved in vRA"), "\(result.stderr)")
      let store = try await SQLStateStore.openSQLite(at: directory.appendingPathComponent("state.db").path)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      try await store.close()
      let shown = try await Self.run(["runs", "show", runId.rawValue, "--output", "json"], directory, harness)
      let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(shown.stdout.utf8))
      #expect(report.stages.first?.approval?["state"] == "approved", "\(shown.stdout)")
      #expect(try await Self.machineProperty(harness, "powerState") == "OFF")
    }
  }

  /// Approvals hold every request the engine follows, a new deployment's too.
  @Test func aDeploymentAwaitingApprovalDoesNotSpendItsTimeout() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      try await harness.server.setApprovalPolicies([
        ApprovalPolicy(name: "creates", projects: [], actions: ["Deployment.Create"])
      ])
      let directory = try Scratch.files(["vm.yaml": Self.machine], in: Scratch.directory())
      async let deployed = Self.run(
        ["deploy", "--template", "vm.yaml", "--project", "Development", "--name", "web-1", "--timeout", "6s"],
        directory, harness)
      let approval = try await harness.http.poll(timeout: .seconds(30)) {
        try await harness.server.approvals(status: .pending).first
      }
      #expect(approval.actionId == "Deployment.Create")
      // Time passes past the 6 s timeout while the request awaits approval: not counted. (The
      // timeout leaves the rest of the work, a few polls, room on a loaded machine: 3 s did not.)
      try await Task.sleep(for: .seconds(7))
      _ = try await harness.server.approve(approval.id, reason: nil)
      let result = try await deployed
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stderr.contains("awaiting approval in vRA (APPROVAL_PENDING)"), "\(result.stderr)")
    }
  }

  @Test func aRejectionFailsTheStageAtOnceWithTheReason() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let directory = try await Self.deployed(harness)
      try await harness.server.setApprovalPolicies([
        ApprovalPolicy(name: "power", projects: [], actions: ["Deployment.PowerOff"])
      ])
      async let acted = Self.run(
        ["action", "web-1", "Deployment.PowerOff", "--timeout", "10m"], directory, harness)
      let approval = try await harness.http.poll(timeout: .seconds(30)) {
        try await harness.server.approvals(status: .pending).first
      }
      _ = try await harness.server.reject(approval.id, reason: "not in a change window")
      let result = try await acted
      #expect(result.status == 1, "\(result.stderr)")
      #expect(result.stderr.contains("rejected"), "\(result.stderr)")
      #expect(result.stderr.contains("not in a change window"), "\(result.stderr)")
      #expect(try await Self.machineProperty(harness, "powerState") == "ON")
    }
  }

  @Test func anApprovalThatNeverComesTimesOutAndTheRequestIsCancelled() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let directory = try await Self.deployed(harness)
      try await harness.server.setApprovalPolicies([
        ApprovalPolicy(name: "power", projects: [], actions: ["Deployment.PowerOff"])
      ])
      let result = try await Self.run(
        ["action", "web-1", "Deployment.PowerOff", "--approval-timeout", "2s", "--output", "json"], directory, harness)
      #expect(result.status == 1, "\(result.stderr)")
      let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(result.stdout.utf8))
      #expect(report.stages.first?.error?.errorClass == .stageTimeout)
      #expect(report.stages.first?.error?.message.contains("not approved within") == true, "\(result.stdout)")
      #expect(report.stages.first?.approval?["state"] == "awaiting")
      let requestId = try #require(report.stages.first?.requestId)
      let session = try await SimulatorSession.start(harness)
      let request = try await session.get("/deployment/api/requests/\(requestId)").decode(DeploymentRequest.self)
      #expect(request.status == .aborted, "the request was cancelled in vRA")
      #expect(try await harness.server.approvals(status: .pending).isEmpty)
    }
  }

  /// A deployment named outside the plan that vRA does not have is found before anything is sent.
  @Test func anActionOnAMissingDeploymentIsRefusedBeforeAnythingIsSent() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let directory = try Scratch.files(
        [
          "vm.yaml": Self.machine,
          "plan.yaml": """
          defaults: {project: Development}
          stages:
            web: {template: vm.yaml, deploymentName: web-2}
            off: {action: {deployment: web-9, id: Deployment.PowerOff}}
          """,
        ], in: Scratch.directory())
      let applied = try await Self.run(["apply", "plan.yaml"], directory, harness)
      #expect(applied.status == 2, "\(applied.stderr)")
      #expect(applied.stderr.contains("no deployment 'web-9'"), "\(applied.stderr)")
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 0)
    }
  }

  /// A rollout powers off the old tier once the new one is up; `destroy` deletes what the run
  /// created and leaves the old tier, which the action only acted on.
  @Test func anActionStageRunsAfterTheStageItWaitsOnAndDestroyLeavesItsDeploymentAlone() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let directory = try await Self.deployed(harness)
      try Scratch.files(
        [
          "plan.yaml": """
          name: swap
          defaults: {project: Development}
          stages:
            green: {template: vm.yaml, deploymentName: green-1}
            retire-old:
              action: {deployment: web-1, id: Deployment.PowerOff, reason: replaced by green}
              dependsOn: [green]
            resize-green:
              action: {stage: green, id: Cloud.vSphere.Machine.Resize, resource: vm, inputs: {cpuCount: 8}}
          """
        ], in: directory)
      let applied = try await Self.run(["apply", "plan.yaml", "--output", "json"], directory, harness)
      #expect(applied.status == 0, "\(applied.stderr)")
      let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(applied.stdout.utf8))
      #expect(report.stages.map(\.status) == ["succeeded", "succeeded", "succeeded"])
      #expect(try await Self.machineProperty(harness, "powerState") == "OFF")
      let green = try await Self.deployment(harness, "green-1")
      #expect(green.resources?.first { $0.name == "vm" }?.properties?["cpuCount"] == 8)
      // An action stage offers the deployment's outputs, not its own request's (which has none).
      let outputs = Dictionary(report.stages.map { ($0.name, $0.outputs) }) { $1 }
      #expect(outputs["resize-green"]??["address"] != nil, "\(report.stages.map(\.outputs))")
      #expect(outputs["resize-green"] == outputs["green"])

      let destroyed = try await Self.run(["destroy", report.run.id, "-y"], directory, harness)
      #expect(destroyed.status == 0, "\(destroyed.stderr)")
      let session = try await SimulatorSession.start(harness)
      let names = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content.map(\.name)
      #expect(names == ["web-1"], "green-1 deleted, web-1 (only acted on) kept")
    }
  }
}
