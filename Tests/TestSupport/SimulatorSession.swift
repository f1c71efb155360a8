import Foundation
import Testing
import VRAModels

/// A logged-in caller of one simulator, with the few steps most tests repeat.
public struct SimulatorSession: Sendable {
  public let http: APICaller
  public let token: String
  public let refreshToken: String
  public let projectId: String

  /// Logs in as the seeded admin and finds the seeded project.
  public static func start(
    _ harness: SimulatorHarness, username: String = "admin", password: String = "VMware1!",
    domain: String = "vsphere.local"
  ) async throws -> SimulatorSession {
    let (access, refresh) = try await harness.http.login(username: username, password: password, domain: domain)
    let projects = try await harness.http.call(.GET, "/iaas/api/projects", token: access).decode(Page<Project>.self)
    let projectId = try #require(projects.content.first?.id, "the seeded org has no project")
    return SimulatorSession(http: harness.http, token: access, refreshToken: refresh, projectId: projectId)
  }

  public func get(_ path: String, checkFidelity: Bool = true) async throws -> APIResponse {
    try await http.call(.GET, path, token: token, checkFidelity: checkFidelity)
  }

  public func post(_ path: String, _ json: JSONValue, headers: [(String, String)] = []) async throws -> APIResponse {
    try await http.call(.POST, path, token: token, json: json, headers: headers)
  }

  public func delete(_ path: String) async throws -> APIResponse {
    try await http.call(.DELETE, path, token: token)
  }

  /// Creates a blueprint and returns its id.
  public func createBlueprint(name: String, content: String) async throws -> String {
    let response = try await post(
      "/blueprint/api/blueprints",
      ["name": .string(name), "projectId": .string(projectId), "content": .string(content)])
    #expect(response.status == 201, "blueprint creation answered \(response.status): \(response.json)")
    return try #require(response.json["id"]?.stringValue)
  }

  /// Requests a deployment of a blueprint; returns the blueprint request as answered (202 expected).
  public func requestDeployment(
    blueprintId: String, name: String, inputs: JSONValue = [:], headers: [(String, String)] = []
  ) async throws -> BlueprintRequest {
    let response = try await post(
      "/blueprint/api/blueprint-requests",
      [
        "blueprintId": .string(blueprintId), "projectId": .string(projectId), "deploymentName": .string(name),
        "inputs": inputs,
      ], headers: headers)
    #expect(response.status == 202, "blueprint request answered \(response.status): \(response.json)")
    return try response.decode(BlueprintRequest.self)
  }

  /// Polls the deployment until its last request is terminal; returns the deployment with its last request.
  public func waitForDeployment(_ id: String, timeout: Duration = .seconds(30)) async throws -> Deployment {
    try await http.poll(timeout: timeout) {
      let deployment = try await get("/deployment/api/deployments/\(id)?expand=lastRequest,resources")
        .decode(Deployment.self)
      return deployment.lastRequest?.status?.isTerminal == true ? deployment : nil
    }
  }
}

/// Small templates the simulator tests deploy.
public enum SampleTemplates {
  /// A network and a machine that references it, and an output.
  public static let webServer = """
    formatVersion: 1
    inputs:
      size:
        type: string
        enum: [small, large]
        default: small
      count:
        type: integer
        minimum: 1
        maximum: 3
        default: 1
    resources:
      net:
        type: Cloud.vSphere.Network
        properties:
          networkType: existing
      web:
        type: Cloud.vSphere.Machine
        properties:
          flavor: ${input.size}
          count: ${input.count}
          networks:
            - network: ${resource.net.id}
    outputs:
      address:
        value: ${resource.web[0].address}
      addresses:
        value: ${resource.web[*].address}
    """

  /// One machine and nothing else.
  public static let single = """
    formatVersion: 1
    resources:
      vm:
        type: Cloud.vSphere.Machine
        properties:
          image: ubuntu
    """
}
