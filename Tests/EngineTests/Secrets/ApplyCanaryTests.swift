import Engine
import Foundation
import TestSupport
import Testing
import VRAModels

extension SecretsAgainstOpenBao {
  /// The issue's canary: `vra-engine apply` of a plan with secret inputs (from OpenBao, the
  /// environment and a file) and failing stages, run as a user runs it, with trace logs, the JSON
  /// report, a dry run, a resume and `runs show`. Not one byte of any output, nor of the state
  /// database, holds a canary; yet each reached vRA, so the test fails if a secret is merely dropped.
  @Suite("apply: secret inputs never leave the process but to vRA")
  struct ApplyCanaryTests {
    /// The Vault value has a `/` and a `"`: JSON text (a body logged at trace level) writes them escaped.
    static let vaultCanary = #"canary/"Vault-"# + UUID().uuidString.prefix(8)
    static let environmentCanary = "canary-Env-" + UUID().uuidString.prefix(8)
    static let fileCanary = "canary-File-" + UUID().uuidString.prefix(8)
    /// What the outputs are searched for: each canary's random part, found whatever escaping it went through.
    static var canaries: [String] { [vaultCanary, environmentCanary, fileCanary].map { String($0.suffix(8)) } }

    static let plan = """
      name: canary
      defaults: {project: Development, onFailure: continue}
      stages:
        db:
          template: db.yaml
          inputs: {size: small}
          secrets:
            dbPassword: "vault:secret/app#db"
            licence: "env:CANARY_LICENCE"
            apiKey: "file:api-key.txt"
            port: "env:CANARY_PORT"
        doomed:
          template: doomed.yaml
          secrets: {dbPassword: "vault:secret/app#db"}
        echoed:
          template: echoed.yaml
          secrets: {code: "env:CANARY_LICENCE"}
      """

    /// The secrets end up in a resource property and an output, which the engine reads back and stores.
    static let database = """
      formatVersion: 1
      inputs:
        size: {type: string}
        dbPassword: {type: string, encrypted: true}
        licence: {type: string}
        apiKey: {type: string, encrypted: true}
        port: {type: integer, encrypted: true}
      resources:
        db:
          type: Cloud.Machine
          properties:
            image: ubuntu
            flavor: ${input.size}
            connection: "postgres://admin:${input.dbPassword}@db?key=${input.apiKey}"
            note: "licence ${input.licence}"
      outputs:
        licence: {value: "${input.licence}"}
      """

    /// Fails while provisioning (the simulator fails `fail-*` resources).
    static let doomed = """
      formatVersion: 1
      inputs:
        dbPassword: {type: string, encrypted: true}
      resources:
        fail-vm:
          type: Cloud.Machine
          properties: {image: ubuntu, password: "${input.dbPassword}"}
      """

    /// Rejected by vRA at submission, with a message that repeats the (not `encrypted`) value.
    static let echoed = """
      formatVersion: 1
      inputs:
        code: {type: string, pattern: "^[0-9]+$"}
      resources:
        net: {type: Cloud.Network, properties: {cidr: 10.0.0.0/24}}
      """

    @Test func noOutputChannelNorTheStateDatabaseHoldsASecret() async throws {
      try await OpenBaoDevServer.with { bao in
        try await bao.writeSecret("app", ["db": Self.vaultCanary, "other": "x"])
        try await SimulatorHarness.with({
          $0.timeScale = 0.01
          $0.faults.enabled = true
          $0.faults.failResources = ["fail-*"]
        }) { harness in
          let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vra-apply-canary-\(UUID().uuidString)")
          defer { try? FileManager.default.removeItem(at: directory) }
          let files = [
            "plan.yaml": Self.plan, "db.yaml": Self.database, "doomed.yaml": Self.doomed,
            "echoed.yaml": Self.echoed, "api-key.txt": Self.fileCanary + "\n",
          ]
          let environment = [
            "VAULT_ADDR": bao.address.absoluteString, "VAULT_TOKEN": bao.rootToken,
            "CANARY_LICENCE": Self.environmentCanary, "CANARY_PORT": "5432", "VRA_ENGINE_LOG_LEVEL": "trace",
          ]
          func apply(_ arguments: [String]) async throws -> Deploy.Result {
            try await Deploy.run(
              arguments, command: "apply", files: files, simulator: harness, environment: environment, in: directory)
          }
          var outputs: [(String, String)] = []
          func keep(_ name: String, _ result: Deploy.Result) {
            outputs += [("\(name) stdout", result.stdout), ("\(name) stderr", result.stderr)]
          }

          let dryRun = try await apply(["plan.yaml", "--dry-run"])
          #expect(dryRun.status == 0, "stderr: \(dryRun.stderr)")
          #expect(dryRun.stdout.contains("dbPassword ← vault:secret/app#db"), "\(dryRun.stdout)")
          keep("dry run", dryRun)

          let text = try await apply(["plan.yaml"])
          #expect(text.status == 1, "a stage failed: \(text.stderr)")
          #expect(text.stderr.contains("input 'code' receives a secret, but"), "a warning: \(text.stderr.prefix(500))")
          #expect(text.stderr.contains("echoed.yaml does not mark it encrypted"))
          keep("apply", text)

          let json = try await apply(["plan.yaml", "--output", "json"])
          #expect(json.status == 1, "stderr: \(json.stderr)")
          keep("apply --output json", json)
          let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(json.stdout.utf8))
          let stages = Dictionary(uniqueKeysWithValues: report.stages.map { ($0.name, $0) })
          #expect(stages["db"]?.status == "succeeded" && stages["doomed"]?.status == "failed")
          #expect(stages["echoed"]?.status == "failed")

          // The data passed the redactor rather than missing: masked where the secrets were.
          let resource = stages["db"]?.resources?.objectValue?["db"]?.objectValue
          #expect(resource?["note"] == .string("licence <redacted>"), "\(String(describing: resource))")
          #expect(stages["db"]?.outputs?.objectValue?["licence"] == .string("<redacted>"))
          let echo = stages["echoed"]?.error?.message ?? ""
          #expect(echo.contains("<redacted>") && echo.contains("pattern"), "vRA's echo, masked: \(echo)")

          let resumed = try await apply(["plan.yaml", "--resume", report.run.id, "--output", "json"])
          #expect(resumed.status == 1, "the failed stages fail again: \(resumed.stderr)")
          keep("apply --resume", resumed)
          // The resume replaced the failed deployment (deleted, submitted again): the new one got the secret too.
          let again = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(resumed.stdout.utf8))
          let doomedId = try #require(again.stages.first { $0.name == "doomed" }?.deploymentId)
          #expect(doomedId != stages["doomed"]?.deploymentId)
          let doomedInputs = try await Deploy.client(harness).deployment(id: doomedId).inputs
          #expect(doomedInputs?["dbPassword"] == .string(Self.vaultCanary))
          for arguments in [["show", report.run.id], ["show", report.run.id, "--output", "json"], ["list"]] {
            let shown = try await Deploy.run(arguments, command: "runs", simulator: harness, in: directory)
            #expect(shown.status == 0, "stderr: \(shown.stderr)")
            keep("runs \(arguments.joined(separator: " "))", shown)
          }

          // Every channel: the outputs above, and every file the runs left (the SQLite database and
          // its -wal/-shm included), but the files the test wrote.
          #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("state.db").path))
          let written = Set(files.keys)
          let left = try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter {
            !written.contains($0)
          }
          #expect(left.contains("stdout.txt") && left.contains("state.db"), "\(left)")
          for canary in Self.canaries {
            for (channel, content) in outputs {
              #expect(!content.contains(canary), "\(canary) in \(channel)")
            }
            for name in left {
              let bytes = (try? Data(contentsOf: directory.appendingPathComponent(name))) ?? Data()
              #expect(bytes.range(of: Data(canary.utf8)) == nil, "\(canary) in \(name)")
            }
          }
          #expect(text.stderr.contains("[VRAClient]"), "trace logs were on: \(text.stderr.prefix(300))")

          // ...and yet each secret reached vRA, as the deployment's inputs.
          let client = try Deploy.client(harness)
          let deploymentId = try #require(stages["db"]?.deploymentId)
          let inputs = try await client.deployment(id: deploymentId).inputs ?? [:]
          #expect(inputs["dbPassword"] == .string(Self.vaultCanary))
          #expect(inputs["licence"] == .string(Self.environmentCanary))
          #expect(inputs["apiKey"] == .string(Self.fileCanary))
          #expect(inputs["port"] == .int(5432), "a secret takes its input's type")
        }
      }
    }

    @Test func aMissingVaultKeyIsExitTwoAndAnUnreachableVaultExitThreeWithNothingSubmitted() async throws {
      try await OpenBaoDevServer.with { bao in
        try await bao.writeSecret("app", ["other": "x"])
        try await SimulatorHarness.with { harness in
          let files = [
            "plan.yaml": Self.plan, "db.yaml": Self.database, "doomed.yaml": Self.doomed,
            "echoed.yaml": Self.echoed, "api-key.txt": Self.fileCanary,
          ]
          let base = [
            "VAULT_ADDR": bao.address.absoluteString, "VAULT_TOKEN": bao.rootToken,
            "CANARY_LICENCE": Self.environmentCanary, "CANARY_PORT": "5432",
          ]
          let missing = try await Deploy.run(
            ["plan.yaml"], command: "apply", files: files, simulator: harness, environment: base)
          #expect(missing.status == 2, "stderr: \(missing.stderr)")
          #expect(missing.stderr.contains("plan.yaml:8:") && missing.stderr.contains("'dbPassword'"))
          #expect(missing.stderr.contains("vault.key_missing") && missing.stderr.contains("other"))
          let unreachable = try await Deploy.run(
            ["plan.yaml"], command: "apply", files: files, simulator: harness,
            environment: base.merging(["VAULT_ADDR": "http://127.0.0.1:1"]) { $1 })
          #expect(unreachable.status == 3, "stderr: \(unreachable.stderr)")
          #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 0)
          for result in [missing, unreachable] {
            #expect(!result.stderr.contains(Self.environmentCanary) && !result.stderr.contains(bao.rootToken))
          }
        }
      }
    }
  }
}
