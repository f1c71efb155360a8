import Foundation
import TestSupport
import Testing
import VRASimulator

/// `vra-engine config show|check`, and a run configured by a profile alone.
@Suite struct ConfigCommandTests {
  static let canary = "Canary-Config-Password-3f9a"

  static func profiles(url: String) -> String {
    """
    defaultProfile = "lab"
    [polling]
    min = "50ms"
    [profiles.lab]
    endpoint.url = "\(url)"
    endpoint.org = "vsphere.local"
    auth.username = "admin"
    auth.password = "env:LAB_PASSWORD"
    auth.domain = "vsphere.local"
    state.url = "sqlite:lab-state/state.db"
    [profiles.prod]
    endpoint.url = "https://vra.corp.local"
    auth.username = "svc"
    auth.password = "\(canary)"
    """
  }

  @Test func showListsEveryValueWithItsSourceAndHidesSecrets() async throws {
    let run = try await Deploy.run(
      ["show", "--profile", "prod", "--poll-max", "4s"], command: "config",
      files: ["vra-engine.toml": Self.profiles(url: "https://vra.lab.local")], simulator: nil,
      environment: ["VRA_ENGINE_RETRY_MAX_ATTEMPTS": "2"])
    defer { try? FileManager.default.removeItem(at: run.directory) }
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    func line(_ key: String) -> String { lines.first { $0.hasPrefix(key + " ") } ?? "" }
    #expect(line("profile:").contains("prod"))
    #expect(
      line("endpoint.url").contains("https://vra.corp.local")
        && line("endpoint.url").contains("vra-engine.toml:12 (profile prod)"))
    #expect(line("auth.password").contains("<redacted>"))
    #expect(line("polling.min").contains("50ms") && line("polling.min").contains("vra-engine.toml:3]"))
    #expect(line("polling.max").contains("4s  [flag --poll-max]"))
    #expect(line("retry.maxAttempts").contains("[environment VRA_ENGINE_RETRY_MAX_ATTEMPTS]"))
    #expect(line("timeouts.attempt").contains("[default]"))
    #expect(!run.stdout.contains(Self.canary) && !run.stderr.contains(Self.canary))
  }

  @Test func checkReportsEveryProblemWithLineAndKeyAndExitsTwo() async throws {
    let bad = """
      [polling]
      min = "fast"
      [profiles.lab]
      concurrency.paralelism = 2
      log.format = "xml"
      """
    let run = try await Deploy.run(["check", "bad.toml"], command: "config", files: ["bad.toml": bad], simulator: nil)
    defer { try? FileManager.default.removeItem(at: run.directory) }
    #expect(run.status == 2)
    #expect(run.stderr.contains("bad.toml:2:8: polling.min: expected a duration"), "\(run.stderr)")
    #expect(run.stderr.contains("bad.toml:4:13: profiles.lab.concurrency.paralelism: unknown key"), "\(run.stderr)")
    #expect(run.stderr.contains("did you mean 'profiles.lab.concurrency.parallelism'?"))
    #expect(run.stderr.contains("bad.toml:5:15: profiles.lab.log.format: expected one of text, json"))

    let good = try await Deploy.run(
      ["check", "good.toml"], command: "config", files: ["good.toml": Self.profiles(url: "https://x.local")],
      simulator: nil)
    defer { try? FileManager.default.removeItem(at: good.directory) }
    #expect(good.status == 0, "\(good.stderr)")
    #expect(good.stdout.contains("profiles: lab, prod"))
  }

  @Test func aBadConfigFileStopsAnApplyBeforeAnythingIsSent() async throws {
    try await SimulatorHarness.with { harness in
      let run = try await Deploy.run(
        ["plan.yaml"], command: "apply",
        files: [
          "plan.yaml": "name: p\ndefaults: {project: Development}\nstages:\n  n: {template: network.yaml}\n",
          "network.yaml": EngineTemplates.network, "vra-engine.toml": "[polling]\nmin = 0\n",
        ], simulator: harness)
      defer { try? FileManager.default.removeItem(at: run.directory) }
      #expect(run.status == 2)
      #expect(run.stderr.contains("vra-engine.toml:2:7: polling.min"), "found in the working directory: \(run.stderr)")
      #expect(await harness.server.stats().totalRequests == 0)
    }
  }

  @Test func aProfileAloneConfiguresEndpointCredentialsAndStateOfARun() async throws {
    try await SimulatorHarness.with { harness in
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID().uuidString)")
      try FileManager.default.createDirectory(
        at: directory.appendingPathComponent("xdg/vra-engine"), withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: directory) }
      // Found through XDG_CONFIG_HOME; the password through the profile's env: reference.
      try Self.profiles(url: harness.server.baseURL).write(
        to: directory.appendingPathComponent("xdg/vra-engine/config.toml"), atomically: true, encoding: .utf8)
      let run = try await Deploy.run(
        ["--template", "network.yaml", "--project", "Development", "--name", "from-profile"],
        files: ["network.yaml": EngineTemplates.network], simulator: nil,
        environment: ["XDG_CONFIG_HOME": directory.appendingPathComponent("xdg").path, "LAB_PASSWORD": "VMware1!"],
        in: directory)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(!run.stderr.contains("embedded simulator"))
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
      #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("lab-state/state.db").path))
    }
  }
}
