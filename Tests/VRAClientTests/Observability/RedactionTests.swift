import Credentials
import Foundation
import InMemoryLogging
import Logging
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

@Suite("Secrets never reach the logs")
struct RedactionTests {
  static let canaryPassword = "Canary-Pa55-7f3e9c1b"

  @Test("a canary password and the tokens never appear in log output at any level")
  func canary() async throws {
    let handler = InMemoryLogHandler()
    var logger = Logger(label: "canary") { _ in handler }
    logger.logLevel = .trace
    try await ClientFixture.withFaultySimulator({
      $0.orgs = [
        OrgSeed(
          name: "vsphere.local",
          users: [UserSeed(username: "canary", password: Self.canaryPassword, domain: "vsphere.local")],
          projects: ["Development"])
      ]
    }) { harness in
      let passwordClient = try VRAClient(
        configuration: ClientFixture.configuration(
          harness,
          authentication: .password(username: "canary", password: Secret(Self.canaryPassword), domain: "vsphere.local"),
          logger: logger))
      let projectId = try await ClientFixture.developmentProjectId(passwordClient)
      // A 401 forces a refresh-token exchange, logged like any call.
      try await harness.server.addFault(FaultRule(method: "GET", path: "/iaas/api/projects", status: 401, times: 1))
      _ = try await passwordClient.iaasProjects()
      // The canary as an input value, accepted and refused (vRA may echo inputs in errors).
      _ = await vraError {
        _ = try await passwordClient.createBlueprintRequest(
          BlueprintRequest(
            content: ClientFixture.template, deploymentName: "canary", projectId: projectId,
            inputs: ["size": .string("small"), "adminPassword": .string(Self.canaryPassword)]))
      }
      // A wrong password whose text contains the canary (another principal: its own token cache).
      let wrong = try VRAClient(
        configuration: ClientFixture.configuration(
          harness,
          authentication: .password(
            username: "intruder", password: Secret(Self.canaryPassword + "-wrong"), domain: "vsphere.local"),
          logger: logger))
      let loginError = await vraError { _ = try await wrong.iaasProjects() }
      #expect(loginError?.errorClass == .unauthorized)

      let refreshToken = Secret(
        try await harness.http.login(username: "canary", password: Self.canaryPassword).refresh)
      let refreshClient = try VRAClient(
        configuration: ClientFixture.configuration(harness, authentication: .refreshToken(refreshToken), logger: logger)
      )
      _ = try await refreshClient.iaasProjects()

      let output = handler.entries.map { entry in
        "\(entry.level) \(entry.message) \(entry.metadata) \(entry.error.map { "\($0)" } ?? "")"
      }.joined(separator: "\n")
      #expect(handler.entries.count > 10)
      #expect(output.contains("body"), "trace-level body logging must have run for the test to mean anything")
      #expect(!output.contains(Self.canaryPassword))
      #expect(!output.contains(refreshToken.exposed))
      #expect(!output.contains("eyJ"), "a JWT (access or id token) reached the logs")
      #expect(!output.lowercased().contains("bearer ey"))
    }
  }

  static let canaryField = "Canary-Field-4b8d2e6a"
  static let canaryValue = "Canary-Value-91c3f07d"
  static let sensitiveTemplate = """
    formatVersion: 1
    inputs:
      licenseKey:
        type: string
      note:
        type: string
    resources:
      net:
        type: Cloud.Network
        properties:
          networkType: existing
    """

  /// Deploys with a canary in a field only the configuration marks sensitive (`licenseKey`) and
  /// another inside a harmless field (`note`), then sends the same with an input the template
  /// lacks (refused; vRA may echo inputs in errors). Returns everything logged at trace level,
  /// and the refusal's description.
  static func logsOfSensitiveCalls(
    _ harness: SimulatorHarness, configure: (inout VRAClientConfiguration) -> Void
  ) async throws -> (logs: String, error: String) {
    let handler = InMemoryLogHandler()
    var logger = Logger(label: "sensitive") { _ in handler }
    logger.logLevel = .trace
    let token = try await ClientFixture.refreshToken(harness)
    var configuration = ClientFixture.configuration(harness, authentication: .refreshToken(token), logger: logger)
    configure(&configuration)
    let client = try VRAClient(configuration: configuration)
    let projectId = try await ClientFixture.developmentProjectId(client)
    var inputs: [String: JSONValue] = [
      "licenseKey": .string(Self.canaryField), "note": .string("ticket \(Self.canaryValue) attached"),
    ]
    let request = try await client.createBlueprintRequest(
      BlueprintRequest(content: Self.sensitiveTemplate, deploymentName: nil, projectId: projectId, inputs: inputs))
    #expect(request.inputs?["licenseKey"] != nil, "the simulator echoes the inputs, so the answer body carries them")
    inputs["unexpected"] = .string(Self.canaryValue)
    let error = await vraError {
      _ = try await client.createBlueprintRequest(
        BlueprintRequest(content: Self.sensitiveTemplate, deploymentName: nil, projectId: projectId, inputs: inputs))
    }
    #expect(error != nil)
    let logs = handler.entries.map { entry in
      "\(entry.level) \(entry.message) \(entry.metadata) \(entry.error.map { "\($0)" } ?? "")"
    }.joined(separator: "\n")
    return (logs, error.map { "\($0)" } ?? "")
  }

  @Test("configured sensitive fields and secret values never reach the logs, even at trace level")
  func configuredSensitiveFields() async throws {
    try await SimulatorHarness.with { harness in
      // Control: without the configuration both canaries are logged, so the check below can fail.
      let unprotected = try await Self.logsOfSensitiveCalls(harness) { _ in }
      #expect(unprotected.logs.contains(Self.canaryField))
      #expect(unprotected.logs.contains(Self.canaryValue))

      let protected = try await Self.logsOfSensitiveCalls(harness) { configuration in
        configuration.sensitiveFields = ["LicenseKey"]
        configuration.secretValues = [Secret(Self.canaryValue)]
      }
      #expect(protected.logs.contains("body"), "trace-level body logging must have run for the test to mean anything")
      #expect(protected.logs.contains("licenseKey"), "the field itself is still logged, only its value is hidden")
      #expect(!protected.logs.contains(Self.canaryField))
      #expect(!protected.logs.contains(Self.canaryValue))
      #expect(!protected.error.contains(Self.canaryValue))
    }
  }

  @Test("VRAError descriptions and Secret never print the secret")
  func secretDescriptions() {
    let secret = Secret("hunter2-hunter2")
    #expect("\(secret)" == "<redacted>")
    #expect(String(reflecting: secret) == "<redacted>")
    var dumped = ""
    dump(secret, to: &dumped)
    #expect(!dumped.contains("hunter2"))
  }
}
