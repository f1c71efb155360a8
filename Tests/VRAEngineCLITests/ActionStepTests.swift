import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// The action's script (`ci/vra-engine-step.sh`) run as a GitHub runner runs it — with
/// `GITHUB_ACTIONS`, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and `GITHUB_WORKSPACE` — with the built
/// binary against a simulator: the pull-request example's steps validate → sandbox apply → destroy.
@Suite(.serialized) struct ActionStepTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  struct Step {
    var status: Int32
    var log: String
    var outputs: [String: String]
  }

  /// Runs the step script with `settings` in `workspace`; its GITHUB_OUTPUT read back as a dictionary.
  static func step(
    _ settings: [String: String], workspace: URL, harness: SimulatorHarness
  ) async throws -> Step {
    let output = workspace.appendingPathComponent("github-output-\(UUID().uuidString.prefix(6))")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let log = workspace.appendingPathComponent("step-\(UUID().uuidString.prefix(6)).log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [Self.root.appendingPathComponent("ci/vra-engine-step.sh").path]
    process.currentDirectoryURL = workspace
    var environment = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": workspace.path,
      "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": workspace.path, "GITHUB_OUTPUT": output.path,
      "GITHUB_STEP_SUMMARY": workspace.appendingPathComponent("summary.md").path,
      "VRA_STEP_BINARY": try VRAEngineBinary.url.path, "VRA_URL": harness.server.baseURL, "VRA_USERNAME": "admin",
      "VRA_PASSWORD": "VMware1!", "VRA_DOMAIN": "vsphere.local",
    ]
    environment.merge(settings) { $1 }
    process.environment = environment
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    let status = try await ChildProcess.run(process)
    try handle.close()
    var outputs: [String: String] = [:]
    for line in try String(contentsOf: output, encoding: .utf8).split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      outputs[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    return Step(status: status, log: try String(contentsOf: log, encoding: .utf8), outputs: outputs)
  }

  @Test func thePullRequestStepsValidateDeployAndDestroy() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let workspace = try Scratch.files(
        [
          "infra/plan.yaml": """
          name: pr
          defaults: {project: Development}
          stages:
            net: {template: network.yaml}
          """,
          "infra/network.yaml": EngineTemplates.network,
          "infra/broken.yaml":
            "formatVersion: 1\nresources:\n  vm: {type: Cloud.Machine, properties: {flavor: '${input.x}'}}\n",
        ], in: Scratch.directory())
      let state = ["VRA_STEP_ARGS": "--state \(workspace.appendingPathComponent("state.db").path)"]

      let invalid = try await Self.step(
        ["VRA_STEP_COMMAND": "validate", "VRA_STEP_TEMPLATE": "infra/broken.yaml"], workspace: workspace,
        harness: harness)
      #expect(invalid.status == 2, "\(invalid.log)")
      #expect(invalid.log.contains("::error file=infra/broken.yaml,line=3"), "\(invalid.log)")
      #expect(invalid.outputs["status"] == "invalid")

      let valid = try await Self.step(
        ["VRA_STEP_COMMAND": "validate", "VRA_STEP_PLAN": "infra/plan.yaml"], workspace: workspace, harness: harness)
      #expect(valid.status == 0, "\(valid.log)")

      let deployed = try await Self.step(
        state.merging([
          "VRA_STEP_COMMAND": "apply", "VRA_STEP_PLAN": "infra/plan.yaml", "VRA_STEP_MAX_DURATION": "180s",
          "VRA_STEP_REPORT_JUNIT": "vra-report.xml",
        ]) { $1 }, workspace: workspace, harness: harness)
      #expect(deployed.status == 0, "\(deployed.log)")
      #expect(deployed.outputs["status"] == "succeeded", "\(deployed.outputs)")
      #expect(deployed.outputs["exit-code"] == "0")
      let runId = try #require(deployed.outputs["run-id"], "\(deployed.log)")
      #expect(runId.count == 8)
      let outputs = try #require(deployed.outputs["outputs"])
      let decoded = try JSONDecoder().decode([String: [String: JSONValue]].self, from: Data(outputs.utf8))
      #expect(decoded["net"]?["networkId"]?.stringValue?.isEmpty == false, "\(outputs)")
      #expect(try await JUnitSchema.validate(workspace.appendingPathComponent("vra-report.xml")).valid)
      let summary = try String(contentsOf: workspace.appendingPathComponent("summary.md"), encoding: .utf8)
      #expect(summary.contains("| net | ✅ succeeded |"), "\(summary)")

      let destroyed = try await Self.step(
        state.merging(["VRA_STEP_COMMAND": "destroy", "VRA_STEP_RUN_ID": runId]) { $1 }, workspace: workspace,
        harness: harness)
      #expect(destroyed.status == 0, "\(destroyed.log)")
      #expect(destroyed.outputs["status"] == "destroyed")
      let session = try await SimulatorSession.start(harness)
      let left = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content
      #expect(left.isEmpty, "\(left.map(\.name))")
    }
  }
  /// The pull-request example as a runner runs it, on the example's own plan (its check's waits
  /// shortened): validate, then the sandbox step (`destroy-after: always`) with the smoke check
  /// passing, then failing on a health URL that answers 500. Both tear the sandbox down and write a
  /// valid JUnit report and the step summary.
  @Test func thePullRequestExampleSmokeChecksTheSandboxAndTearsItDownEitherWay() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 0.004
      $0.faults.enabled = true
    }) { harness in
      let infra = Self.root.appendingPathComponent("examples/ci/infra")
      var files: [String: String] = [:]
      for name in ["plan.yaml", "templates/network.yaml", "templates/app.yaml"] {
        var text = try String(contentsOf: infra.appendingPathComponent(name), encoding: .utf8)
        if name == "plan.yaml" {
          text = text.replacingOccurrences(of: "interval: 5s", with: "interval: 100ms")
            .replacingOccurrences(of: "timeout: 2m", with: "timeout: 3s")
        }
        files["infra/" + name] = text
      }
      let workspace = try Scratch.files(files, in: Scratch.directory())
      let sandbox = [
        "VRA_STEP_COMMAND": "apply", "VRA_STEP_PLAN": "infra/plan.yaml", "VRA_STEP_MAX_DURATION": "180s",
        "VRA_STEP_DESTROY_AFTER": "always", "VRA_STEP_REPORT_JUNIT": "vra-report.xml",
        "VRA_STEP_ARGS": "--state \(workspace.appendingPathComponent("state.db").path)",
      ]
      let valid = try await Self.step(
        ["VRA_STEP_COMMAND": "validate", "VRA_STEP_PLAN": "infra/plan.yaml"], workspace: workspace, harness: harness)
      #expect(valid.status == 0, "\(valid.log)")

      let passed = try await Self.step(sandbox, workspace: workspace, harness: harness)
      #expect(passed.status == 0, "\(passed.log)")
      #expect(passed.outputs["status"] == "succeeded", "\(passed.outputs)")
      var junit = try String(contentsOf: workspace.appendingPathComponent("vra-report.xml"), encoding: .utf8)
      #expect(junit.contains(#"<testcase name="smoke" classname="vra-engine.sandbox.check""#), "\(junit)")
      #expect(!junit.contains("<failure"), "\(junit)")
      #expect(try await JUnitSchema.validate(workspace.appendingPathComponent("vra-report.xml")).valid)
      let session = try await SimulatorSession.start(harness)
      var left = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content
      #expect(left.isEmpty, "torn down after a pass: \(left.map(\.name))")

      try await harness.server.addFault(FaultRule(path: "/_sim/apps/", status: 500))
      let failed = try await Self.step(sandbox, workspace: workspace, harness: harness)
      #expect(failed.status == 1, "\(failed.log)")
      #expect(failed.outputs["status"] == "failed", "\(failed.outputs)")
      #expect(failed.log.contains("smoke"), "\(failed.log)")
      junit = try String(contentsOf: workspace.appendingPathComponent("vra-report.xml"), encoding: .utf8)
      #expect(junit.contains(#"<failure type="check""#) && junit.contains("HTTP 500, expected 200"), "\(junit)")
      #expect(try await JUnitSchema.validate(workspace.appendingPathComponent("vra-report.xml")).valid)
      left = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content
      #expect(left.isEmpty, "torn down after a failed check: \(left.map(\.name))")
      let summary = try String(contentsOf: workspace.appendingPathComponent("summary.md"), encoding: .utf8)
      #expect(summary.contains("| smoke | ✅ succeeded |"), "the passing run's summary: \(summary)")
      #expect(summary.contains("| smoke | ❌ failed |"), "the failing run's summary: \(summary)")
    }
  }
}
