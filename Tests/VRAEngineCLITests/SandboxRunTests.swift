import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// `apply --destroy-after` and `--max-duration` against a simulator: what is left in vRA afterwards,
/// and the exit codes (docs/ci.md).
@Suite(.serialized) struct SandboxRunTests {
  static let files = [
    "plan.yaml": """
    name: sandbox
    defaults: {project: Development, onFailure: continue}
    stages:
      net: {template: network.yaml}
      db:
        template: machine.yaml
        inputs: {network: "${stages.net.outputs.networkId}"}
    """,
    "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine,
    "doomed.yaml": """
    formatVersion: 1
    resources:
      fail-vm: {type: Cloud.Machine, properties: {image: ubuntu}}
    """,
  ]
  /// net succeeds, doomed fails: the run fails with one deployment of each kind in vRA.
  static let failingPlan = """
    name: sandbox
    defaults: {project: Development, onFailure: continue}
    stages:
      net: {template: network.yaml}
      doomed: {template: doomed.yaml}
    """

  static func simulator(_ configuration: inout SimulatorConfiguration) {
    configuration.timeScale = 0.004
    configuration.faults.enabled = true
    configuration.faults.failResources = ["fail-*"]
  }

  static func apply(
    _ arguments: [String], plan: String? = nil, harness: SimulatorHarness, environment: [String: String] = [:]
  ) async throws -> (CLIHarness.Outcome, URL) {
    var files = Self.files
    if let plan { files["plan.yaml"] = plan }
    let directory = try Scratch.files(files, in: Scratch.directory())
    let run = try await CLIHarness.run(
      ["apply", "plan.yaml"] + arguments + ["--state", directory.appendingPathComponent("state.db").path],
      in: directory, harness: harness, environment: environment)
    return (run, directory)
  }

  static func deployments(_ harness: SimulatorHarness) async throws -> [String] {
    let session = try await SimulatorSession.start(harness)
    return try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content.map(\.name)
  }

  @Test func onSuccessTearsDownASucceededRun() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let (run, _) = try await Self.apply(["--destroy-after", "on-success"], harness: harness)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      #expect(run.stderr.contains("torn down"), "\(run.stderr)")
      #expect(run.stdout.contains("net.networkId"), "the outputs are still printed: \(run.stdout)")
      #expect(try await Self.deployments(harness).isEmpty, "the simulator holds no deployment afterwards")
    }
  }

  @Test func onSuccessKeepsAFailedRunsDeployments() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let (run, _) = try await Self.apply(["--destroy-after", "on-success"], plan: Self.failingPlan, harness: harness)
      #expect(run.status == 1, "stderr: \(run.stderr)")
      #expect(!run.stderr.contains("tearing down"), "\(run.stderr)")
      #expect(try await Self.deployments(harness).count == 2, "kept for a look")
    }
  }

  @Test func alwaysTearsDownAFailedRunAndExitsWithTheFailure() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let (run, directory) = try await Self.apply(
        ["--destroy-after", "always", "--report", "junit=report.xml"], plan: Self.failingPlan, harness: harness)
      #expect(run.status == 1, "the run's own exit code: \(run.stderr)")
      #expect(run.stderr.contains("torn down"), "\(run.stderr)")
      #expect(try await Self.deployments(harness).isEmpty, "the failed deployment is deleted too")
      let junit = try String(contentsOf: directory.appendingPathComponent("report.xml"), encoding: .utf8)
      #expect(junit.contains(#"<testcase name="doomed""#) && junit.contains(#"<failure type="deployment""#))
      #expect(junit.contains(#"<testcase name="teardown (--destroy-after)" classname="vra-engine.sandbox.teardown""#))
      #expect(try await JUnitSchema.validate(directory.appendingPathComponent("report.xml")).valid)
    }
  }

  @Test func aFailedTeardownExitsSevenAndSaysHowToRetry() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      try await harness.server.addFault(FaultRule(method: "DELETE", path: "/deployment/api/deployments", status: 400))
      let (run, directory) = try await Self.apply(
        ["--destroy-after", "always", "--report", "junit=report.xml"], harness: harness)
      #expect(run.status == 7, "stderr: \(run.stderr)")
      #expect(run.stderr.contains("the teardown failed"), "\(run.stderr)")
      #expect(run.stderr.contains("vra-engine destroy "), "\(run.stderr)")
      #expect(try await Self.deployments(harness).count == 2)
      let junit = try String(contentsOf: directory.appendingPathComponent("report.xml"), encoding: .utf8)
      #expect(junit.contains(#"<failure type="destroy""#), "\(junit)")
    }
  }

  /// Cloud.Network takes 20 s × 0.5 = 10 s here: far past a 1 s limit.
  @Test func exceedingMaxDurationCancelsTheRunExitsSixAndStillTearsDown() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 0.5
    }) { harness in
      let started = ContinuousClock.now
      let (run, directory) = try await Self.apply(
        ["--max-duration", "1s", "--destroy-after", "always", "--report", "junit=report.xml"], harness: harness)
      #expect(run.status == 6, "stderr: \(run.stderr)")
      #expect(run.stderr.contains("the run exceeded --max-duration 1s"), "\(run.stderr)")
      #expect(ContinuousClock.now - started < .seconds(60))
      #expect(
        await harness.server.recentCalls().contains { $0.method == "POST" && $0.path.hasSuffix("/actions/cancel") },
        "the request was cancelled in vRA")
      #expect(try await Self.deployments(harness).isEmpty, "torn down after the cancel")
      let junit = try String(contentsOf: directory.appendingPathComponent("report.xml"), encoding: .utf8)
      #expect(junit.contains(#"<failure type="cancelled" message="the run exceeded --max-duration 1s""#), "\(junit)")
      let runs = try await CLIHarness.run(
        ["runs", "--output", "json", "--state", directory.appendingPathComponent("state.db").path])
      #expect(runs.stdout.contains("destroyed"), "\(runs.stdout)")
    }
  }

  /// SIGTERM (a CI system cancelling the job) to a real process: the run is cancelled in vRA, then
  /// torn down, and the process still exits 130.
  @Test func sigtermCancelsThenTearsDownWithAlways() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.2 }) { harness in
      let directory = try Scratch.files(Self.files, in: Scratch.directory())
      let log = directory.appendingPathComponent("stderr.txt")
      _ = FileManager.default.createFile(atPath: log.path, contents: nil)
      let process = Process()
      process.executableURL = try VRAEngineBinary.url
      process.arguments = ["apply", "plan.yaml", "--destroy-after", "always", "--state", "state.db"]
      process.currentDirectoryURL = directory
      process.environment = CLIHarness.credentials(harness).merging([
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin", "HOME": directory.path,
      ]) { $1 }
      process.standardOutput = FileHandle.nullDevice
      process.standardError = try FileHandle(forWritingTo: log)
      try process.run()
      let session = try await SimulatorSession.start(harness)
      let submitted = try await pollUntil(timeout: .seconds(60)) {
        !(try await session.get("/blueprint/api/blueprint-requests").decode(Page<BlueprintRequest>.self).content
          .isEmpty)
      }
      #expect(submitted, "a request reached vRA")
      kill(process.processIdentifier, SIGTERM)
      let ended = await pollUntil(timeout: .seconds(120)) { !process.isRunning }
      if !ended { process.terminate() }
      let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      #expect(ended && process.terminationStatus == 130, "stderr: \(stderr)")
      #expect(stderr.contains("torn down"), "\(stderr)")
      #expect(try await Self.deployments(harness).isEmpty, "nothing left in vRA")
    }
  }

  @Test func aRunWithinMaxDurationIsUntouched() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let (run, _) = try await Self.apply(["--max-duration", "10m"], harness: harness)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      #expect(try await Self.deployments(harness).count == 2)
    }
  }

  @Test(arguments: [
    ["--destroy-after", "always", "--dry-run"],
    ["--max-duration", "3m", "--dry-run"],
    ["--destroy-after", "on-success", "--env", "staging"],
    ["--destroy-after", "sometimes"],
    ["--max-duration", "soon"],
    ["--max-duration", "0s"],
    ["--destroy-after", "always", "--server", "http://127.0.0.1:9"],
  ])
  func combinationsThatMakeNoSenseAreRefused(_ arguments: [String]) async throws {
    let directory = try Scratch.files(Self.files, in: Scratch.directory())
    let run = try await CLIHarness.run(
      ["apply", directory.appendingPathComponent("plan.yaml").path] + arguments,
      environment: ["VRA_ENGINE_TOKEN": "vre_not-used"], directory: directory)
    #expect(run.status == 2, "\(arguments): \(run.stderr)")
    let flag = try #require(arguments.first)
    #expect(run.stderr.contains(flag), "names \(flag): \(run.stderr)")
  }

  @Test func aPlansEnvironmentIsNotTornDown() async throws {
    var files = Self.files
    files["plan.yaml"] = "environment: staging\n" + (files["plan.yaml"] ?? "")
    let directory = try Scratch.files(files, in: Scratch.directory())
    let run = try await CLIHarness.run(
      ["apply", directory.appendingPathComponent("plan.yaml").path, "--destroy-after", "always"], directory: directory)
    #expect(run.status == 2, "\(run.stderr)")
    #expect(run.stderr.contains("environment staging is kept"), "\(run.stderr)")
  }
}
