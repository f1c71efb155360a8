import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// `vra-engine apply` as a user runs it: exit codes, Ctrl-C, dry runs and progress lines, from the
/// built binary against an in-process simulator.
@Suite(.serialized) struct ApplyCommandTests {
  static let files = [
    "plan.yaml": CrashResumeTests.plan, "network.yaml": EngineTemplates.network,
    "machine.yaml": EngineTemplates.machine, "app.yaml": EngineTemplates.app,
  ]
  static let creates = "POST /blueprint/api/blueprint-requests"

  @Test func anInvalidPlanExitsTwoAndSendsNothing() async throws {
    try await SimulatorHarness.with { harness in
      var files = Self.files
      files["plan.yaml"] = """
        name: broken
        defaults: {project: Development}
        stages:
          net: {template: network.yaml}
          db:
            template: machine.yaml
            inputs: {network: "${stages.nett.outputs.networkId}"}
          app: {template: missing.yaml}
        """
      let run = try await Deploy.run(["plan.yaml"], command: "apply", files: files, simulator: harness)
      #expect(run.status == 2, "stderr: \(run.stderr)")
      #expect(run.stderr.contains("nett") && run.stderr.contains("missing.yaml"), "every problem at once")
      #expect(run.stderr.contains("plan.yaml:"), "named with file and line: \(run.stderr)")
      #expect(await harness.server.stats().count(Self.creates) == 0)
    }
  }

  @Test(arguments: ["apply", "deploy"])
  func refusedCredentialsExitThree(_ command: String) async throws {
    try await SimulatorHarness.with { harness in
      let arguments =
        command == "apply"
        ? ["plan.yaml"] : ["--template", "network.yaml", "--project", "Development", "--name", "n-1"]
      let run = try await Deploy.run(
        arguments, command: command, files: Self.files, simulator: harness,
        environment: ["VRA_PASSWORD": "not-the-password-Zk4"])
      #expect(run.status == 3, "stdout: \(run.stdout) stderr: \(run.stderr)")
      #expect(!run.stderr.contains("not-the-password-Zk4") && !run.stdout.contains("not-the-password-Zk4"))
      #expect(await harness.server.stats().count(Self.creates) == 0)
    }
  }

  @Test func anUnreachableEndpointExitsThree() async throws {
    // A port nothing listens on: bind one, note it, close it.
    let harness = try await SimulatorHarness.start()
    let url = harness.server.baseURL
    await harness.server.stop()
    let run = try await Deploy.run(
      ["plan.yaml", "--state", "state.db"], command: "apply", files: Self.files, simulator: nil,
      environment: ["VRA_URL": url, "VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!"])
    #expect(run.status == 3, "stderr: \(run.stderr)")
  }

  /// Ctrl-C once the request is in vRA: with its answer already read, or (a POST whose answer is
  /// late) while the stage is still `submitting` with no ids, when the deployment is found by its name.
  @Test(arguments: [nil, 5.0])
  func ctrlCCancelsTheRequestInVRAAndExits130(answerDelayedBy seconds: Double?) async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 0.2
      $0.faults.enabled = seconds != nil
    }) { harness in
      if let seconds {
        try await harness.server.addFault(
          FaultRule(
            method: "POST", path: "/blueprint/api/blueprint-requests", delayAfterCommitSeconds: seconds, times: 1))
      }
      let apply = try Deploy.start(["plan.yaml"], command: "apply", files: Self.files, simulator: harness)
      defer { try? FileManager.default.removeItem(at: apply.directory) }
      let session = try await SimulatorSession.start(harness)
      let requestId = try await harness.http.poll(timeout: .seconds(30)) { () -> String? in
        try await session.get("/blueprint/api/blueprint-requests").decode(Page<BlueprintRequest>.self).content.first?.id
      }
      kill(apply.process.processIdentifier, SIGINT)
      let result = try await apply.finish(timeout: .seconds(60))
      #expect(result.status == 130, "stderr: \(result.stderr)")
      let request = try await session.get("/blueprint/api/blueprint-requests/\(requestId)")
        .decode(BlueprintRequest.self)
      #expect(request.status == .cancelled, "the blueprint request was cancelled through the API")
      let store = try await SQLStateStore.openSQLite(at: apply.directory.appendingPathComponent("state.db").path)
      let run = try #require(try await store.runs(limit: 1).first)
      try await store.close()
      #expect(run.status == .cancelled, "the cancel is recorded")
    }
  }

  @Test func aSecondCtrlCExitsAtOnceAndTheStateStaysUsable() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 0.2
      $0.faults.enabled = true
    }) { harness in
      // vRA is slow to accept the cancel: the first Ctrl-C would wait 8 s for it.
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/blueprint/api/blueprint-requests/", delaySeconds: 8))
      let apply = try Deploy.start(["plan.yaml"], command: "apply", files: Self.files, simulator: harness)
      defer { try? FileManager.default.removeItem(at: apply.directory) }
      let session = try await SimulatorSession.start(harness)
      _ = try await harness.http.poll(timeout: .seconds(30)) { () -> Bool? in
        try await session.get("/blueprint/api/blueprint-requests").decode(Page<BlueprintRequest>.self).content
          .isEmpty ? nil : true
      }
      kill(apply.process.processIdentifier, SIGINT)
      _ = try await harness.http.poll(timeout: .seconds(10)) { () -> Bool? in
        apply.stderrText().contains("cancelling the run") ? true : nil
      }
      let secondAt = ContinuousClock.now
      kill(apply.process.processIdentifier, SIGINT)
      let result = try await apply.finish(timeout: .seconds(25))
      #expect(result.status == 130)
      #expect(ContinuousClock.now - secondAt < .seconds(4), "the second Ctrl-C does not wait for vRA")
      #expect(result.stderr.contains("exiting without waiting"), "\(result.stderr)")

      // The state database opens and answers; the run can be resumed to its end.
      let store = try await SQLStateStore.openSQLite(at: apply.directory.appendingPathComponent("state.db").path)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      try await store.close()
      let shown = try await Deploy.run(
        ["show", runId.rawValue, "--output", "json"], command: "runs", simulator: harness, in: apply.directory)
      #expect(shown.status == 0, "stderr: \(shown.stderr)")
      #expect(try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(shown.stdout.utf8)).run.id == runId.rawValue)
    }
  }

  /// The dry run also checks the plan against the reachable vRA: the blueprint the plan names does not
  /// exist there, so it exits 2 naming the plan's line and field, after showing every request.
  @Test func aDryRunShowsEachRequestWithSecretsMaskedAndSendsNothing() async throws {
    try await SimulatorHarness.with { harness in
      var files = Self.files
      files["plan.yaml"] = """
        name: dry
        defaults: {project: Development}
        stages:
          net: {template: network.yaml, inputs: {cidr: 10.9.0.0/24}}
          db:
            template: machine.yaml
            inputs: {network: "${stages.net.outputs.networkId}", password: canary-Dry-31}
          legacy:
            blueprint: {name: legacy-app, version: "2"}
            inputs: {adminPassword: canary-Dry-32, size: large}
        """
      let run = try await Deploy.run(["plan.yaml", "--dry-run"], command: "apply", files: files, simulator: harness)
      #expect(run.status == 2, "stderr: \(run.stderr)")
      #expect(run.stderr.contains("plan.yaml:8:"), "\(run.stderr)")
      #expect(run.stderr.contains("stage 'legacy': no blueprint 'legacy-app'"), "\(run.stderr)")
      #expect(run.stderr.contains("[/stages/legacy/blueprint]"), "\(run.stderr)")
      let output = run.stdout + run.stderr
      #expect(!output.contains("canary-Dry-31") && !output.contains("canary-Dry-32"))
      #expect(output.contains("POST /blueprint/api/blueprint-requests"))
      #expect(output.contains("\"cidr\": \"10.9.0.0/24\"") && output.contains("\"size\": \"large\""))
      #expect(output.contains("layer 2: db"), "db waits for net")
      #expect(await harness.server.stats().count(Self.creates) == 0)
    }
  }

  @Test func withoutATerminalEachChangeIsOneLineWithItsProject() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let run = try await Deploy.run(["plan.yaml"], command: "apply", files: Self.files, simulator: harness)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      let lines = run.stderr.split(separator: "\n")
      #expect(lines.contains { $0.hasPrefix("net [project Development]: succeeded") }, "\(run.stderr)")
      #expect(lines.contains { $0.hasPrefix("edge [project Development]: running") })
      #expect(lines.contains { $0.contains(" tasks") }, "request progress reaches CI logs")
      #expect(!run.stderr.contains("\u{1B}["), "no terminal escapes in a log")
    }
  }

  @Test func pollFlagsSetTheTrackersInterval() async throws {
    let plan = """
      name: one
      defaults: {project: Development}
      stages:
        net: {template: network.yaml}
      """
    // Cloud.Network takes 20 s × 0.1 = 2 s; count the tracker's list calls at two intervals.
    var lists: [String: Int] = [:]
    for interval in ["50ms", "1s"] {
      try await SimulatorHarness.with({ $0.timeScale = 0.1 }) { harness in
        let run = try await Deploy.run(
          ["plan.yaml", "--poll-min", interval, "--poll-max", interval], command: "apply",
          files: ["plan.yaml": plan, "network.yaml": EngineTemplates.network], simulator: harness)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        lists[interval] = await harness.server.stats().count("GET /deployment/api/deployments")
      }
    }
    let fast = try #require(lists["50ms"])
    let slow = try #require(lists["1s"])
    #expect(slow >= 1 && slow <= 6, "about one list per second over ~2 s, got \(slow)")
    #expect(fast >= slow * 4, "50 ms polls many times more often: \(fast) vs \(slow)")

    let bad = try await Deploy.run(["plan.yaml", "--poll-max", "soon"], command: "apply", simulator: nil)
    #expect(bad.status == 2 && bad.stderr.contains("--poll-max"))
  }

  @Test func everyLogLineOfAStageCarriesItsExecutionContext() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 0.004
      var org = OrgSeed.default
      org.projects = ["Development", "Production"]
      $0.orgs = [org]
    }) { harness in
      let plan = """
        name: ctx
        defaults: {project: Development, region: eu-west, constraintTags: [env:dev]}
        stages:
          net: {template: network.yaml}
          app:
            template: app.yaml
            project: Production
            constraintTags: [tier:web]
            inputs: {dbHost: "${stages.net.outputs.networkId}"}
        """
      let run = try await Deploy.run(
        ["plan.yaml"], command: "apply",
        files: ["plan.yaml": plan, "network.yaml": EngineTemplates.network, "app.yaml": EngineTemplates.app],
        simulator: harness, environment: ["VRA_ENGINE_LOG_LEVEL": "info"])
      #expect(run.status == 0, "stderr: \(run.stderr)")
      let calls = run.stderr.split(separator: "\n").filter { $0.contains("vRA call") }
      let creates = calls.filter { $0.contains("http.method=POST") && $0.contains("blueprint-requests") }
      #expect(creates.count == 2)
      let net = try #require(creates.first { $0.contains("stage=net") })
      #expect(net.contains("vra.project=Development") && net.contains("vra.region=eu-west"))
      #expect(net.contains("vra.constraint_tags=env:dev") && net.contains("run.id="))
      let app = try #require(creates.first { $0.contains("stage=app") })
      #expect(app.contains("vra.project=Production") && app.contains("vra.constraint_tags=env:dev,tier:web"))
      // The tracker polls a project for all its stages: its calls carry the run and project, no stage.
      let polls = calls.filter {
        $0.contains("http.method=GET") && $0.contains("http.path=/deployment/api/deployments ")
      }
      #expect(!polls.isEmpty)
      #expect(polls.allSatisfy { $0.contains("run.id=") && !$0.contains("stage=") }, "\(polls)")
    }
  }
}
