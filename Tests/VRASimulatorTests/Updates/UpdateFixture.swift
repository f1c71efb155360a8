import Foundation
import TestSupport
import Testing
import VRAModels

/// Templates and steps the update, what-if, action and history tests share.
enum UpdateFixture {
  /// Version 1: a network, a web machine, an app machine and a disk.
  static let version1 = """
    formatVersion: 1
    inputs:
      size:
        type: string
        enum: [small, large]
        default: small
      password:
        type: string
        encrypted: true
        default: first-secret-1
    resources:
      net:
        type: Cloud.Network
        properties:
          networkType: existing
      web:
        type: Cloud.vSphere.Machine
        properties:
          image: ubuntu
          flavor: ${input.size}
          networks:
            - network: ${resource.net.id}
      app:
        type: Cloud.vSphere.Machine
        properties:
          image: ubuntu
          adminPassword: ${input.password}
      disk:
        type: Cloud.Volume
        properties:
          capacityGb: 10
    outputs:
      flavor:
        value: ${resource.web.flavor}
    """

  /// Version 2: `net` unchanged, `web` resized by its input (UPDATE), `app` on another image
  /// (RECREATE), `disk` gone (DELETE), `db` new (CREATE).
  static let version2 = """
    formatVersion: 1
    inputs:
      size:
        type: string
        enum: [small, large]
        default: small
      password:
        type: string
        encrypted: true
        default: first-secret-1
    resources:
      net:
        type: Cloud.Network
        properties:
          networkType: existing
      web:
        type: Cloud.vSphere.Machine
        properties:
          image: ubuntu
          flavor: ${input.size}
          networks:
            - network: ${resource.net.id}
      app:
        type: Cloud.vSphere.Machine
        properties:
          image: rhel-9
          adminPassword: ${input.password}
      db:
        type: Cloud.vSphere.Machine
        properties:
          image: postgres
    outputs:
      flavor:
        value: ${resource.web.flavor}
    """

  /// Deploys `content` inline as `name` and waits until it is created.
  static func deploy(
    _ session: SimulatorSession, name: String, content: String = version1, inputs: JSONValue = [:]
  ) async throws -> Deployment {
    let response = try await session.post(
      "/blueprint/api/blueprint-requests",
      [
        "content": .string(content), "projectId": .string(session.projectId), "deploymentName": .string(name),
        "inputs": inputs,
      ])
    #expect(response.status == 202, "\(response.json)")
    let deploymentId = try #require(try response.decode(BlueprintRequest.self).deploymentId)
    let deployment = try await session.waitForDeployment(deploymentId)
    #expect(deployment.status == .createSuccessful)
    return deployment
  }

  /// `POST /blueprint/api/blueprint-requests` on an existing deployment.
  static func update(
    _ session: SimulatorSession, _ deploymentId: String, content: String = version1, inputs: JSONValue = [:],
    plan: Bool = false
  ) async throws -> APIResponse {
    var body: [String: JSONValue] = [
      "deploymentId": .string(deploymentId), "projectId": .string(session.projectId), "content": .string(content),
      "inputs": inputs,
    ]
    if plan { body["plan"] = true }
    return try await session.post("/blueprint/api/blueprint-requests", .object(body))
  }

  /// Polls a blueprint request until it is terminal.
  static func waitForBlueprintRequest(_ session: SimulatorSession, _ id: String) async throws -> BlueprintRequest {
    try await session.http.poll {
      let request = try await session.get("/blueprint/api/blueprint-requests/\(id)").decode(BlueprintRequest.self)
      return request.status?.isTerminal == true ? request : nil
    }
  }

  /// The deployment's requests, newest first.
  static func history(_ session: SimulatorSession, _ deploymentId: String) async throws -> [DeploymentRequest] {
    try await session.get("/deployment/api/deployments/\(deploymentId)/requests").decode(Page<DeploymentRequest>.self)
      .content
  }
}

extension Deployment {
  func resource(_ name: String) -> DeploymentResource? { resources?.first { $0.name == name } }
}
