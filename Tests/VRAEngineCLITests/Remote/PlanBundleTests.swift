import Engine
import EngineServer
import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// What `apply --server` sends: the plan and every template it names, by path relative to the
/// plan's directory, and nothing from outside it.
@Suite struct PlanBundleTests {
  static let plan = """
    name: web
    defaults: {project: Development}
    stages:
      net: {template: templates/network.yaml}
      db: {template: ./templates/../machine.yaml}
      cache: {template: machine.yaml}
      base: {blueprint: {name: base-linux}}
    """

  @Test func collectsEveryTemplateOnceByItsPathInTheBundle() throws {
    let directory = try Scratch.files(
      [
        "plan.yaml": Self.plan, "templates/network.yaml": EngineTemplates.network,
        "machine.yaml": EngineTemplates.machine,
        "unrelated.yaml": "not sent",
      ], in: Scratch.directory())
    let bundle = try PlanBundle.read(planAt: directory.appendingPathComponent("plan.yaml").path)
    #expect(bundle.submission.plan == Self.plan)
    #expect(bundle.submission.planPath == "plan.yaml")
    #expect(
      bundle.submission.files == [
        "templates/network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine,
      ])
    #expect(
      bundle.localPath(of: "templates/network.yaml")
        == directory.appendingPathComponent("templates/network.yaml").standardizedFileURL.path)
    #expect(bundle.localPath(of: "plan.yaml") == directory.appendingPathComponent("plan.yaml").standardizedFileURL.path)
  }

  @Test func aTOMLPlanKeepsItsFileName() throws {
    let directory = try Scratch.files(
      ["deploy.toml": "[stages.net]\ntemplate = \"network.yaml\"\n", "network.yaml": EngineTemplates.network],
      in: Scratch.directory())
    let bundle = try PlanBundle.read(planAt: directory.appendingPathComponent("deploy.toml").path)
    #expect(bundle.submission.planPath == "deploy.toml")
    #expect(bundle.submission.files?.keys.sorted() == ["network.yaml"])
  }

  /// A template outside the plan's directory, or named by an absolute path, is refused with the
  /// stage, the file and its line; so is one that does not exist: every problem at once.
  @Test func refusesTemplatesOutsideThePlansDirectory() throws {
    let root = try Scratch.directory()
    try Scratch.files(["shared/app.yaml": EngineTemplates.app, "secret.yaml": "x"], in: root)
    let directory = root.appendingPathComponent("plans")
    try Scratch.files(
      [
        "plan.yaml": """
        stages:
          app: {template: ../shared/app.yaml}
          abs: {template: \(root.appendingPathComponent("plans/net.yaml").path)}
          gone: {template: missing.yaml}
          sneaky: {template: sub/../../secret.yaml}
          net: {template: net.yaml}
        """,
        "net.yaml": EngineTemplates.network,
      ], in: directory)
    let error = try #require(throws: PlanError.self) {
      try PlanBundle.read(planAt: directory.appendingPathComponent("plan.yaml").path)
    }
    let messages = error.diagnostics.map(\.description)
    #expect(error.diagnostics.count == 4, "\(messages)")
    #expect(
      messages.contains { $0.contains(":2:") && $0.contains("stage 'app': template '../shared/app.yaml' is outside") })
    #expect(messages.contains { $0.contains("stage 'abs'") && $0.contains("absolute path") })
    #expect(messages.contains { $0.contains("stage 'gone': template 'missing.yaml' not found") })
    #expect(messages.contains { $0.contains("stage 'sneaky'") && $0.contains("secret.yaml") && $0.contains("outside") })
    #expect(!messages.contains { $0.contains("stage 'net'") })
  }

  /// Through the command: exit 2 naming the file, and nothing reaches the server.
  @Test func applyRefusesItBeforeSendingAnything() async throws {
    try await FakeEngineServer.with { server in
      let root = try Scratch.directory()
      try Scratch.files(["outside.yaml": EngineTemplates.network], in: root)
      let directory = root.appendingPathComponent("plan")
      try Scratch.files(["plan.yaml": "stages:\n  net: {template: ../outside.yaml}\n"], in: directory)
      let outcome = try await CLIHarness.run(
        ["apply", directory.appendingPathComponent("plan.yaml").path, "--server", server.url],
        environment: ["VRA_ENGINE_TOKEN": "t0k3n"])
      #expect(outcome.status == 2)
      #expect(
        outcome.stderr.contains("template '../outside.yaml' is outside the plan's directory"), "\(outcome.stderr)")
      #expect(await server.requests().isEmpty)
    }
  }
}
