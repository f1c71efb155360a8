import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// `vra-engine config show|check`, and a bad config file stopping a run.
@Suite struct ConfigCommandTests {
  static let canary = "Canary-Config-Password-3f9a"

  static func profiles(url: String, state: String = "lab-state/state.db") -> String {
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
    state.url = "sqlite:\(state)"
    [profiles.prod]
    endpoint.url = "https://vra.corp.local"
    auth.username = "svc"
    auth.password = "\(canary)"
    """
  }

  @Test func showListsEveryValueWithItsSourceAndHidesSecrets() async throws {
    let directory = try Scratch.files(
      ["vra-engine.toml": Self.profiles(url: "https://vra.lab.local")], in: Scratch.directory())
    let run = try await CLIHarness.run(
      ["config", "show", "--profile", "prod", "--poll-max", "4s"],
      environment: ["VRA_ENGINE_RETRY_MAX_ATTEMPTS": "2"], directory: directory)
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
    #expect(!run.everything.contains(Self.canary))
  }

  @Test func showAsJSONHasEverySettingWithItsSource() async throws {
    let directory = try Scratch.files(
      ["vra-engine.toml": Self.profiles(url: "https://vra.lab.local")], in: Scratch.directory())
    let run = try await CLIHarness.run(
      ["config", "show", "--profile", "prod", "--poll-max", "4s", "--output", "json"], directory: directory)
    #expect(run.status == 0, "\(run.stderr)")
    let report = try run.json()
    #expect(report["profile"] as? String == "prod")
    #expect((report["file"] as? String)?.hasSuffix("vra-engine.toml") == true)
    let settings = try #require(report["settings"] as? [String: [String: Any]])
    #expect(settings["endpoint.url"]?["value"] as? String == "https://vra.corp.local")
    #expect((settings["endpoint.url"]?["source"] as? String)?.contains("(profile prod)") == true)
    #expect(settings["auth.password"]?["value"] as? String == "<redacted>")
    #expect(settings["polling.max"]?["source"] as? String == "flag --poll-max")
    #expect(settings["timeouts.attempt"]?["source"] as? String == "default")
    #expect(!run.everything.contains(Self.canary))
  }

  @Test func checkReportsEveryProblemWithLineAndKeyAndExitsTwo() async throws {
    let bad = try Scratch.file(
      "bad.toml",
      """
      [polling]
      min = "fast"
      [profiles.lab]
      concurrency.paralelism = 2
      log.format = "xml"
      """)
    let run = try await CLIHarness.run(["config", "check", bad])
    #expect(run.status == 2)
    #expect(run.stderr.contains("bad.toml:2:8: polling.min: expected a duration"), "\(run.stderr)")
    #expect(run.stderr.contains("bad.toml:4:13: profiles.lab.concurrency.paralelism: unknown key"), "\(run.stderr)")
    #expect(run.stderr.contains("did you mean 'profiles.lab.concurrency.parallelism'?"))
    #expect(run.stderr.contains("bad.toml:5:15: profiles.lab.log.format: expected one of text, json"))

    let good = try await CLIHarness.run([
      "config", "check", try Scratch.file("good.toml", Self.profiles(url: "https://x.local")),
    ])
    #expect(good.status == 0, "\(good.stderr)")
    #expect(good.stdout.contains("profiles: lab, prod"))
  }

  @Test func aBadConfigFileStopsAnApplyBeforeAnythingIsSent() async throws {
    try await SimulatorHarness.with { harness in
      let directory = try Scratch.files(
        [
          "plan.yaml": "name: p\ndefaults: {project: Development}\nstages:\n  n: {template: network.yaml}\n",
          "network.yaml": EngineTemplates.network, "vra-engine.toml": "[polling]\nmin = 0\n",
        ], in: Scratch.directory())
      let run = try await CLIHarness.run(
        ["apply", directory.appendingPathComponent("plan.yaml").path, "--state", directory.path + "/state.db"],
        environment: CLIHarness.credentials(harness), directory: directory)
      #expect(run.status == 2)
      #expect(run.stderr.contains("vra-engine.toml:2:7: polling.min"), "found in the current directory: \(run.stderr)")
      #expect(await harness.server.stats().totalRequests == 0)
    }
  }

  @Test func aProfileAloneConfiguresEndpointCredentialsAndStateOfARun() async throws {
    try await SimulatorHarness.with { harness in
      let directory = try Scratch.directory()
      // Found through XDG_CONFIG_HOME; the password through the profile's env: reference.
      let state = directory.appendingPathComponent("lab-state/state.db").path
      try Scratch.files(
        [
          "xdg/vra-engine/config.toml": Self.profiles(url: harness.server.baseURL, state: state),
          "network.yaml": EngineTemplates.network,
        ], in: directory)
      let run = try await CLIHarness.run(
        [
          "deploy", "--template", directory.appendingPathComponent("network.yaml").path, "--project", "Development",
          "--name", "from-profile",
        ],
        environment: ["XDG_CONFIG_HOME": directory.appendingPathComponent("xdg").path, "LAB_PASSWORD": "VMware1!"],
        directory: directory)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(!run.stderr.contains("embedded simulator"))
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
      #expect(FileManager.default.fileExists(atPath: state))
    }
  }
}
