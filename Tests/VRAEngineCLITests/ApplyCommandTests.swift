import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// `vra-engine apply` in-process against a simulator on 127.0.0.1: exit codes, dry runs, progress
/// lines and log lines. (Ctrl-C needs a real process: EngineTests/Orchestration/ApplyInterruptTests.)
@Suite(.serialized) struct ApplyCommandTests {
  static let files = [
    "plan.yaml": EngineTemplates.sixStagePlan, "network.yaml": EngineTemplates.network,
    "machine.yaml": EngineTemplates.machine, "app.yaml": EngineTemplates.app,
  ]
  static let creates = "POST /blueprint/api/blueprint-requests"

  /// `vra-engine apply DIR/plan.yaml ARGUMENTS --state DIR/state.db` in a new directory holding `files`.
  static func apply(
    _ arguments: [String] = [], files: [String: String] = files, harness: SimulatorHarness?,
    environment: [String: String] = [:]
  ) async throws -> CLIHarness.Outcome {
    let directory = try Scratch.files(files, in: Scratch.directory())
    var variables = harness.map(CLIHarness.credentials) ?? [:]
    variables.merge(environment) { $1 }
    return try await CLIHarness.run(
      ["apply", directory.appendingPathComponent("plan.yaml").path] + arguments + [
        "--state", directory.appendingPathComponent("state.db").path,
      ], environment: variables, directory: directory)
  }

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
      let run = try await Self.apply(files: files, harness: harness)
      #expect(run.status == 2, "stderr: \(run.stderr)")
      #expect(run.stderr.contains("nett") && run.stderr.contains("missing.yaml"), "every problem at once")
      #expect(run.stderr.contains("plan.yaml:"), "named with file and line: \(run.stderr)")
      #expect(run.stdout.isEmpty)
      #expect(await harness.server.stats().count(Self.creates) == 0)
    }
  }

  @Test(arguments: ["apply", "deploy"])
  func refusedCredentialsExitThree(_ command: String) async throws {
    try await SimulatorHarness.with { harness in
      let directory = try Scratch.files(Self.files, in: Scratch.directory())
      let arguments =
        command == "apply"
        ? [directory.appendingPathComponent("plan.yaml").path]
        : [
          "--template", directory.appendingPathComponent("network.yaml").path, "--project", "Development", "--name",
          "n-1",
        ]
      var environment = CLIHarness.credentials(harness)
      environment["VRA_PASSWORD"] = "not-the-password-Zk4"
      let run = try await CLIHarness.run(
        [command] + arguments + ["--state", directory.appendingPathComponent("state.db").path],
        environment: environment, directory: directory)
      #expect(run.status == 3, "stdout: \(run.stdout) stderr: \(run.stderr)")
      #expect(!run.everything.contains("not-the-password-Zk4"))
      #expect(await harness.server.stats().count(Self.creates) == 0)
    }
  }

  @Test func anUnreachableEndpointExitsThree() async throws {
    // A port nothing listens on: bind one, note it, close it.
    let harness = try await SimulatorHarness.start()
    let url = harness.server.baseURL
    await harness.server.stop()
    let run = try await Self.apply(
      harness: nil, environment: ["VRA_URL": url, "VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!"])
    #expect(run.status == 3, "stderr: \(run.stderr)")
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
      let run = try await Self.apply(["--dry-run"], files: files, harness: harness)
      #expect(run.status == 2, "stderr: \(run.stderr)")
      #expect(run.stderr.contains("plan.yaml:8:"), "\(run.stderr)")
      #expect(run.stderr.contains("stage 'legacy': no blueprint 'legacy-app'"), "\(run.stderr)")
      #expect(run.stderr.contains("[/stages/legacy/blueprint]"), "\(run.stderr)")
      let output = run.everything
      #expect(!output.contains("canary-Dry-31") && !output.contains("canary-Dry-32"))
      #expect(output.contains("POST /blueprint/api/blueprint-requests"))
      #expect(output.contains("\"cidr\": \"10.9.0.0/24\"") && output.contains("\"size\": \"large\""))
      #expect(output.contains("layer 2: db"), "db waits for net")
      #expect(await harness.server.stats().count(Self.creates) == 0)
    }
  }

  @Test func withoutATerminalEachChangeIsOneLineWithItsProject() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let run = try await Self.apply(harness: harness)
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
        let run = try await Self.apply(
          ["--poll-min", interval, "--poll-max", interval],
          files: ["plan.yaml": plan, "network.yaml": EngineTemplates.network], harness: harness)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        lists[interval] = await harness.server.stats().count("GET /deployment/api/deployments")
      }
    }
    let fast = try #require(lists["50ms"])
    let slow = try #require(lists["1s"])
    #expect(slow >= 1 && slow <= 6, "about one list per second over ~2 s, got \(slow)")
    #expect(fast >= slow * 4, "50 ms polls many times more often: \(fast) vs \(slow)")

    let bad = try await Self.apply(["--poll-max", "soon"], harness: nil)
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
      let run = try await Self.apply(
        files: ["plan.yaml": plan, "network.yaml": EngineTemplates.network, "app.yaml": EngineTemplates.app],
        harness: harness, environment: ["VRA_ENGINE_LOG_LEVEL": "info"])
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
