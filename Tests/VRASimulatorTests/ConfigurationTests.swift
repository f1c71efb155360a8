import Foundation
import Testing
import VRASimulator

@Suite struct ConfigurationTests {
  func load(_ yaml: String) throws -> SimulatorConfiguration {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString).yaml").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    try yaml.write(toFile: file, atomically: true, encoding: .utf8)
    return try SimulatorConfiguration.load(yamlFile: file)
  }

  @Test func partialSectionsKeepTheOtherDefaults() throws {
    let configuration = try load(
      """
      timeScale: 0.5
      tokens: {accessTokenLifetime: 2}
      durations:
        resourceTypes: {Cloud.Custom: 7}
      orgs:
        - name: lab
          users: [{username: ops, password: s3cret, domain: lab.local}]
      faults:
        enabled: true
        rules: [{path: /iaas, status: 503, times: 1}, {path: /deployment, delayAfterCommitSeconds: 1}]
      """)
    #expect(configuration.timeScale == 0.5)
    #expect(configuration.tokens.accessTokenLifetime == 2)
    #expect(configuration.tokens.refreshTokenLifetime == 7 * 24 * 3600)
    #expect(configuration.durations.provisioning(of: "Cloud.Custom") == 7)
    #expect(configuration.durations.provisioning(of: "Cloud.vSphere.Machine") == 120)
    #expect(configuration.orgs.map(\.name) == ["lab"])
    #expect(configuration.orgs[0].projects.isEmpty)
    #expect(
      configuration.faults.rules == [
        FaultRule(path: "/iaas", status: 503, times: 1), FaultRule(path: "/deployment", delayAfterCommitSeconds: 1),
      ])
    #expect(configuration.port == 8080)
  }

  @Test func approvalPoliciesLeasesAndActionDurations() throws {
    let configuration = try load(
      """
      approvals:
        - name: prod
          projects: [Production]
          actions: [Deployment.Create, Cloud.vSphere.Machine.Resize]
        - name: everything
      leases: {maxDays: 14}
      durations:
        actions: {Resize: 5}
      """)
    #expect(
      configuration.approvals == [
        ApprovalPolicy(
          name: "prod", projects: ["Production"], actions: ["Deployment.Create", "Cloud.vSphere.Machine.Resize"]),
        ApprovalPolicy(name: "everything"),
      ])
    #expect(configuration.leases.maxDays == 14)
    #expect(configuration.durations.action("Cloud.vSphere.Machine.Resize") == 5)
    #expect(configuration.durations.action("Deployment.PowerOff") == 10, "the other defaults stay")
    #expect(throws: (any Error).self) { _ = try load("approvals: [{name: x, action: [Deployment.Create]}]\n") }
  }

  @Test func unknownKeyIsAnErrorNamingKeyAndLine() throws {
    #expect {
      _ = try load("timeScale: 1\ntokens:\n  accessTokenLifetme: 5\n")
    } throws: { error in
      let text = "\(error)"
      return text.contains("accessTokenLifetme") && text.contains("line 3")
    }
  }

  @Test func wrongTypeIsAnErrorNamingTheField() throws {
    #expect {
      _ = try load("port: eighty\n")
    } throws: { error in
      "\(error)".contains("port")
    }
  }
}
