import Foundation
import TestSupport
import Testing
import VRASimulator

extension SecretsAgainstOpenBao {
  /// `VRA_PASSWORD=vault:secret/vra#password`: the CLI reads the credential from OpenBao, and the
  /// value never reaches its output.
  @Suite("Credentials from secret references")
  struct CredentialReferenceTests {
    static let template = """
      formatVersion: 1
      resources:
        net: {type: Cloud.Network, properties: {cidr: 10.0.0.0/24}}
      """

    @Test func aPasswordFromOpenBaoLogsInAndNeverShows() async throws {
      try await OpenBaoDevServer.with { bao in
        try await bao.writeSecret("vra", ["password": "VMware1!", "other": "x"])
        try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
          let environment = [
            "VRA_PASSWORD": "vault:secret/vra#password", "VAULT_ADDR": bao.address.absoluteString,
            "VAULT_TOKEN": bao.rootToken, "VRA_ENGINE_LOG_LEVEL": "trace",
          ]
          let run = try await Deploy.run(
            ["--template", "net.yaml", "--project", "Development", "--name", "net-1"],
            files: ["net.yaml": Self.template], simulator: harness, environment: environment)
          #expect(run.status == 0, "stderr: \(run.stderr)")
          #expect(!run.stdout.contains("VMware1!") && !run.stderr.contains("VMware1!"), "trace logs hold no password")
          #expect(!run.stderr.contains(bao.rootToken), "nor the Vault token")

          // A key the secret does not have: exit 2, the keys that exist named, no value shown.
          let missing = try await Deploy.run(
            ["--template", "net.yaml", "--project", "Development", "--name", "net-2"],
            files: ["net.yaml": Self.template], simulator: harness,
            environment: environment.merging(["VRA_PASSWORD": "vault:secret/vra#pasword"]) { $1 })
          #expect(missing.status == 2, "stderr: \(missing.stderr)")
          #expect(missing.stderr.contains("pasword") && missing.stderr.contains("password"), "\(missing.stderr)")
          #expect(!missing.stderr.contains("VMware1!"))
          #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
        }
      }
    }

    /// A profile names the Vault and where its token is; the credentials are references into it.
    @Test func aProfileNamesTheVaultAndItsTokenReference() async throws {
      try await OpenBaoDevServer.with { bao in
        try await bao.writeSecret("vra", ["password": "VMware1!"])
        try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
          let profile = """
            [profiles.lab]
            endpoint.url = "\(harness.server.baseURL)"
            auth.username = "admin"
            auth.password = "vault:secret/vra#password"
            auth.domain = "vsphere.local"
            vault.address = "\(bao.address.absoluteString)"
            vault.token = "env:LAB_BAO_TOKEN"
            """
          let run = try await Deploy.run(
            ["--template", "net.yaml", "--project", "Development", "--name", "net-profile", "--profile", "lab"],
            files: ["net.yaml": Self.template, "vra-engine.toml": profile], simulator: nil,
            environment: ["LAB_BAO_TOKEN": bao.rootToken, "VRA_ENGINE_LOG_LEVEL": "trace"])
          #expect(run.status == 0, "stderr: \(run.stderr)")
          #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
          #expect(!run.stderr.contains(bao.rootToken) && !run.stderr.contains("VMware1!"), "\(run.stderr)")

          // The token cannot come from the Vault it opens.
          let circular = try await Deploy.run(
            ["--template", "net.yaml", "--project", "Development", "--name", "net-circular", "--profile", "lab"],
            files: [
              "net.yaml": Self.template,
              "vra-engine.toml": profile.replacingOccurrences(of: "env:LAB_BAO_TOKEN", with: "vault:secret/t#token"),
            ], simulator: nil)
          #expect(circular.status == 2)
          #expect(circular.stderr.contains("vault.token cannot be a vault: reference"), "\(circular.stderr)")
        }
      }
    }

    @Test func anUnreachableVaultIsExitThree() async throws {
      try await SimulatorHarness.with { harness in
        let run = try await Deploy.run(
          ["--template", "net.yaml", "--project", "Development", "--name", "net-1"],
          files: ["net.yaml": Self.template], simulator: harness,
          environment: [
            "VRA_PASSWORD": "vault:secret/vra#password", "VAULT_ADDR": "http://127.0.0.1:1", "VAULT_TOKEN": "t-Zq",
          ])
        #expect(run.status == 3, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("127.0.0.1:1"), "the message names the Vault it could not reach")
      }
    }
  }
}
