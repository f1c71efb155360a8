import Credentials
import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// `vra-engine deploy` in-process, against a simulator on 127.0.0.1 or the embedded one.
@Suite(.serialized) struct DeployCommandTests {
  /// `vra-engine COMMAND ARGUMENTS` in a new directory holding `files`; an argument naming one of
  /// the files becomes its absolute path. With a simulator, the state goes to `state.db` in the
  /// directory; without, the embedded simulator's default `.vra-engine/` there.
  static func run(
    _ arguments: [String], command: String = "deploy", files: [String: String] = [:], simulator: SimulatorHarness?,
    environment extra: [String: String] = [:], in existing: URL? = nil
  ) async throws -> (status: Int32, stdout: String, stderr: String, directory: URL) {
    let directory = try Scratch.files(files, in: existing ?? Scratch.directory())
    var environment = simulator.map(CLIHarness.credentials) ?? [:]
    environment.merge(extra) { $1 }
    let state = simulator == nil ? [] : ["--state", directory.appendingPathComponent("state.db").path]
    let absolute = arguments.map { files[$0] != nil ? directory.appendingPathComponent($0).path : $0 }
    let outcome = try await CLIHarness.run(
      [command] + absolute + state, environment: environment, directory: directory)
    return (outcome.status, outcome.stdout, outcome.stderr, directory)
  }

  static func client(_ harness: SimulatorHarness) throws -> VRAClient {
    try VRAClient(
      configuration: VRAClientConfiguration(
        endpoint: URL(string: harness.server.baseURL)!,
        authentication: .password(username: "admin", password: Secret("VMware1!"), domain: "vsphere.local")))
  }

  static let template = EngineTemplates.web

  static let canary = "canary-Qx7-secret"

  // MARK: Template

  @Test func templateDeploySucceedsAndReportsOutputs() async throws {
    try await SimulatorHarness.with { harness in
      let run = try await Self.run(
        [
          "--template", "web.yaml", "--project", "Development", "--name", "web-1", "--input", "count=2",
          "--input", "cidr=${input.cidr}", "--input", "password=\(Self.canary)", "--output", "json",
        ],
        files: ["web.yaml": Self.template], simulator: harness)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(run.stdout.utf8))
      #expect(report.run.status == "succeeded")
      let stage = try #require(report.stages.first)
      #expect(report.stages.count == 1 && stage.name == "deploy" && stage.status == "succeeded")
      #expect(stage.deploymentName == "web-1")
      let networkId = try #require(stage.outputs?["networkId"]?.stringValue)
      #expect(!networkId.isEmpty)
      #expect(stage.outputs?["address"]?.stringValue?.isEmpty == false)
      #expect(stage.resources?["vm"] != nil && stage.resources?["net"] != nil)

      // What vRA received: the coerced integer, and `${...}` in a value sent as the literal text it is.
      let client = try Self.client(harness)
      let deployment = try await client.deployment(id: try #require(stage.deploymentId), expand: [.resources])
      #expect(deployment.name == "web-1")
      #expect(deployment.inputs?["count"] == .int(2))
      #expect(deployment.inputs?["cidr"]?.stringValue == "${input.cidr}")
      #expect(!run.stdout.contains(Self.canary) && !run.stderr.contains(Self.canary))
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
    }
  }

  @Test func textOutputEndsWithResourcesAndOutputs() async throws {
    try await SimulatorHarness.with { harness in
      let run = try await Self.run(
        [
          "--template", "web.yaml", "--project", "Development", "--name", "web-text", "--input",
          "password=\(Self.canary)",
        ],
        files: ["web.yaml": Self.template], simulator: harness)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      let lines = run.stdout.split(separator: "\n").map(String.init)
      #expect(lines.first?.hasPrefix("deployment web-text (id ") == true)
      #expect(lines.first?.hasSuffix(": succeeded") == true)
      #expect(lines.contains { $0.contains("vm") && $0.contains("Cloud.Machine") }, "\(run.stdout)")
      #expect(lines.contains { $0.contains("net") && $0.contains("Cloud.Network") })
      #expect(lines.contains("outputs:"))
      #expect(lines.contains { $0.hasPrefix("  networkId = ") })
      #expect(
        run.stderr.contains("deploy [project Development]: succeeded"), "one progress line per change without a TTY")
      #expect(!run.stdout.contains(Self.canary) && !run.stderr.contains(Self.canary))
    }
  }

  @Test func invalidInputsExitTwoAndNothingIsSent() async throws {
    try await SimulatorHarness.with { harness in
      let run = try await Self.run(
        [
          "--template", "web.yaml", "--project", "Development", "--name", "web-bad", "--input", "count=many",
          "--input", "colour=red", "--input", "password=\(Self.canary)",
        ],
        files: ["web.yaml": Self.template], simulator: harness, environment: ["VRA_INPUT_CIDR": "not-checked"])
      #expect(run.status == 2)
      #expect(run.stderr.contains("'count'") && run.stderr.contains("not an integer"), "\(run.stderr)")
      #expect(run.stderr.contains("colour"), "every problem at once")
      #expect(!run.stdout.contains(Self.canary) && !run.stderr.contains(Self.canary))
      #expect(await harness.server.stats().totalRequests == 0, "not even a login")

      let broken = try await Self.run(
        ["--template", "broken.yaml", "--project", "Development", "--name", "web-broken"],
        files: [
          "broken.yaml": "formatVersion: 1\nresources:\n  vm: {type: Cloud.Machine, properties: {x: '${input.nope}'}}\n"
        ],
        simulator: harness)
      #expect(broken.status == 2)
      #expect(broken.stderr.contains("nope"), "\(broken.stderr)")
      #expect(await harness.server.stats().totalRequests == 0)
    }
  }

  @Test func aFailingResourceExitsOneWithVRAsReason() async throws {
    try await SimulatorHarness.with({
      $0.faults.enabled = true
      $0.faults.failResources = ["doomed"]
    }) { harness in
      let failing = """
        formatVersion: 1
        resources:
          doomed: {type: Cloud.Machine, properties: {image: ubuntu}}
        """
      let text = try await Self.run(
        ["--template", "doomed.yaml", "--project", "Development", "--name", "doomed-1"],
        files: ["doomed.yaml": failing], simulator: harness)
      #expect(text.status == 1, "stderr: \(text.stderr)")
      #expect(text.stdout.contains("doomed-1") && text.stdout.contains(": failed"), "\(text.stdout)")
      #expect(text.stdout.contains("no placement satisfies the constraints"), "vRA's reason reaches the user")
      // vRA's failed request quotes the failing resource's reason; its events say it again: once is enough.
      for output in [text.stdout, text.stderr] {
        #expect(
          output.components(separatedBy: "Provisioning of 'doomed' failed").count - 1 == 1,
          "the reason is said once per place: \(output)")
      }

      let json = try await Self.run(
        ["--template", "doomed.yaml", "--project", "Development", "--name", "doomed-2", "--output", "json"],
        files: ["doomed.yaml": failing], simulator: harness)
      #expect(json.status == 1)
      let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(json.stdout.utf8))
      #expect(report.run.status == "failed" && report.stages.first?.status == "failed")
      #expect(report.stages.first?.error?.message.contains("no placement satisfies") == true)
    }
  }

  // MARK: Blueprints and catalog items

  @Test func blueprintByNameAndVersionAndCatalogItemByName() async throws {
    try await SimulatorHarness.with { harness in
      let client = try Self.client(harness)
      let projectId = try #require(try await client.projects().collect().first { $0.name == "Development" }?.id)
      func content(_ resource: String) -> String {
        """
        formatVersion: 1
        inputs:
          size: {type: integer, minimum: 1}
        resources:
          \(resource): {type: Cloud.Machine, properties: {image: ubuntu}}
        """
      }
      let created = try await client.createBlueprint(
        Blueprint(name: "base-linux", content: content("alpha"), projectId: projectId))
      let blueprintId = try #require(created.id)
      _ = try await client.createBlueprintVersion(blueprintId: blueprintId, .init(version: "1", release: true))
      _ = try await client.updateBlueprint(
        id: blueprintId, Blueprint(name: "base-linux", content: content("beta"), projectId: projectId))
      _ = try await client.createBlueprintVersion(blueprintId: blueprintId, .init(version: "2", release: true))

      // Text from --input is converted with the blueprint's inputs schema, as for a local template.
      let byName = try await Self.run(
        [
          "--blueprint", "base-linux", "--version", "1", "--project", "Development", "--name", "from-bp",
          "--input", "size=3", "--output", "json",
        ], simulator: harness)
      #expect(byName.status == 0, "stderr: \(byName.stderr)")
      let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(byName.stdout.utf8))
      let deployment = try await client.deployment(
        id: try #require(report.stages.first?.deploymentId), expand: [.resources])
      #expect(deployment.blueprintId == blueprintId && deployment.blueprintVersion == "1")
      #expect(deployment.resources?.map(\.name) == ["alpha"], "version 1's content")
      #expect(deployment.inputs?["size"] == .int(3))

      // By id; an input the schema refuses stops the deploy before anything is submitted.
      let posts = await harness.server.stats().count("POST /blueprint/api/blueprint-requests")
      let invalid = try await Self.run(
        ["--blueprint", blueprintId, "--project", "Development", "--name", "bad-bp", "--input", "size=0"],
        simulator: harness)
      #expect(invalid.status == 2, "stderr: \(invalid.stderr)")
      #expect(invalid.stderr.contains("size"))
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == posts)

      let catalog = try await Self.run(
        ["--catalog-item", "base-linux", "--project", "Development", "--name", "from-catalog", "--input", "size=1"],
        simulator: harness)
      #expect(catalog.status == 0, "stderr: \(catalog.stderr)")
      let fromCatalog = try #require(
        try await client.deployments().collect().first { $0.name == "from-catalog" })
      #expect(fromCatalog.catalogItemId == blueprintId)
      #expect(catalog.stdout.contains("deployment from-catalog (id \(fromCatalog.id ?? "?")): succeeded"))

      let missing = try await Self.run(
        ["--blueprint", "no-such", "--project", "Development", "--name", "x"], simulator: harness)
      #expect(missing.status == 2 && missing.stderr.contains("no blueprint 'no-such'"), "\(missing.stderr)")
    }
  }

  // MARK: --no-wait

  @Test func noWaitReturnsOnceVRAAcceptedTheRequest() async throws {
    // Slow enough that a deployment takes many seconds: the command must not wait for it.
    try await SimulatorHarness.with({ $0.timeScale = 0.5 }) { harness in
      let run = try await Self.run(
        ["--template", "web.yaml", "--project", "Development", "--name", "later", "--no-wait"],
        files: ["web.yaml": Self.template], simulator: harness)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      let client = try Self.client(harness)
      let deployment = try #require(try await client.deployments().collect().first { $0.name == "later" })
      #expect(deployment.status?.isInProgress == true, "returned before the deployment finished")
      #expect(run.stdout.contains("deployment later (id \(deployment.id ?? "?"))"), "\(run.stdout)")
      #expect(run.stdout.contains("accepted by vRA") && run.stdout.contains("blueprint request: "))

      // The run stays in flight in the state store; the stage holds the ids.
      let store = try await SQLStateStore.openSQLite(at: run.directory.appendingPathComponent("state.db").path)
      let recorded = try #require(try await store.runs(limit: 1).first)
      let stage = try await store.stage(run: recorded.id, name: "deploy")
      try await store.close()
      #expect(recorded.status == .submitted)
      #expect(stage?.status == .submitted && stage?.deploymentId == deployment.id)
      #expect(stage?.blueprintRequestId != nil)
    }
  }

  /// A `--no-wait` run ends `submitted`; `runs watch` follows it to its end later, re-attaching to
  /// the request (nothing submitted again) and recording its outputs.
  @Test func runsWatchFollowsASubmittedRunToItsEnd() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.02 }) { harness in
      let run = try await Self.run(
        ["--template", "web.yaml", "--project", "Development", "--name", "watched", "--no-wait"],
        files: ["web.yaml": Self.template], simulator: harness)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      #expect(run.stdout.contains("vra-engine runs watch"), "\(run.stdout)")
      let path = run.directory.appendingPathComponent("state.db").path
      let store = try await SQLStateStore.openSQLite(at: path)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      try await store.close()
      let watched = try await Self.run(
        ["watch", runId.rawValue], command: "runs", simulator: harness, in: run.directory)
      #expect(watched.status == 0, "stderr: \(watched.stderr)")
      let after = try await SQLStateStore.openSQLite(at: path)
      #expect(try await after.run(runId)?.status == .succeeded)
      #expect(try await after.stage(run: runId, name: "deploy")?.status == .succeeded)
      try await after.close()
      #expect(await harness.server.stats().deploymentsCreated == 1, "watching submitted nothing")
    }
  }

  // MARK: Flags

  @Test(arguments: [
    (["--project", "Development", "--name", "x"], "say what to deploy"),
    (["--template", "web.yaml", "--blueprint", "b", "--project", "Development", "--name", "x"], "choose one source"),
    (["--blueprint", "b", "--catalog-item", "c", "--project", "Development", "--name", "x"], "choose one source"),
    (["--template", "web.yaml", "--name", "x"], "--project"),
    (["--template", "web.yaml", "--project", "Development"], "--name"),
    (["--template", "web.yaml", "--project", "Development", "--name", "x", "--timeout", "soon"], "--timeout"),
    (["--template", "web.yaml", "--project", "Development", "--name", "x", "--version", "2"], "--version"),
  ])
  func usageErrorsExitTwo(arguments: [String], message: String) async throws {
    try await SimulatorHarness.with { harness in
      let run = try await Self.run(arguments, files: ["web.yaml": Self.template], simulator: harness)
      #expect(run.status == 2)
      #expect(run.stderr.contains(message), "\(run.stderr)")
      #expect(await harness.server.stats().totalRequests == 0)
    }
  }

  // MARK: Embedded simulator

  @Test func withoutAnEndpointDeployUsesTheEmbeddedSimulator() async throws {
    let run = try await Self.run(
      [
        "--template", "web.yaml", "--project", "Development", "--name", "embedded", "--input",
        "password=\(Self.canary)",
      ],
      files: ["web.yaml": Self.template], simulator: nil)
    #expect(run.status == 0, "stderr: \(run.stderr)")
    #expect(run.stderr.contains("using the embedded simulator"))
    #expect(run.stdout.contains("deployment embedded (id ") && run.stdout.contains(": succeeded"))
    #expect(FileManager.default.fileExists(atPath: run.directory.appendingPathComponent(".vra-engine/state.db").path))
    #expect(!run.stdout.contains(Self.canary) && !run.stderr.contains(Self.canary))
  }
}
