import Foundation
import TestSupport
import Testing
import VRAModels

/// Steps the day-2 action and approval tests share.
enum DayTwoFixture {
  /// A finished deployment of a blueprint with a network and two machines (`web[0]`, `web[1]`).
  static func deploy(_ session: SimulatorSession, name: String) async throws -> Deployment {
    let blueprintId = try await session.createBlueprint(name: "bp-\(name)", content: SampleTemplates.webServer)
    let order = try await session.requestDeployment(
      blueprintId: blueprintId, name: name, inputs: ["size": "small", "count": 2])
    let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
    #expect(deployment.status == .createSuccessful)
    return deployment
  }

  /// `POST .../deployments/{id}/requests`, or the resource's requests endpoint with `resourceId`.
  static func submit(
    _ session: SimulatorSession, _ deploymentId: String, resourceId: String? = nil, _ actionId: String,
    inputs: JSONValue = [:], reason: String? = nil
  ) async throws -> APIResponse {
    var body: [String: JSONValue] = ["actionId": .string(actionId), "inputs": inputs]
    if let reason { body["reason"] = .string(reason) }
    let path =
      resourceId.map { "/deployment/api/deployments/\(deploymentId)/resources/\($0)/requests" }
      ?? "/deployment/api/deployments/\(deploymentId)/requests"
    return try await session.post(path, .object(body))
  }

  /// Submits an action that must be accepted and returns its request.
  static func run(
    _ session: SimulatorSession, _ deploymentId: String, resourceId: String? = nil, _ actionId: String,
    inputs: JSONValue = [:]
  ) async throws -> DeploymentRequest {
    let answer = try await submit(session, deploymentId, resourceId: resourceId, actionId, inputs: inputs)
    #expect(answer.status == 200, "\(actionId) answered \(answer.status): \(answer.json)")
    return try answer.decode(DeploymentRequest.self)
  }

  static func request(_ session: SimulatorSession, _ id: String) async throws -> DeploymentRequest {
    try await session.get("/deployment/api/requests/\(id)").decode(DeploymentRequest.self)
  }

  /// Polls the request by its own id until it has `status` (or, with nil, any terminal status).
  static func wait(
    _ session: SimulatorSession, _ id: String, for status: RequestStatus? = nil, timeout: Duration = .seconds(30)
  ) async throws -> DeploymentRequest {
    try await session.http.poll(timeout: timeout) {
      let request = try await Self.request(session, id)
      if let status { return request.status == status ? request : nil }
      return request.status?.isTerminal == true ? request : nil
    }
  }

  static func actions(_ session: SimulatorSession, _ deploymentId: String) async throws -> [String: DeploymentAction] {
    let list = try await session.get("/deployment/api/deployments/\(deploymentId)/actions")
      .decode([DeploymentAction].self)
    return Dictionary(list.map { ($0.id ?? "", $0) }, uniquingKeysWith: { first, _ in first })
  }

  static func deployment(_ session: SimulatorSession, _ id: String) async throws -> Deployment {
    try await session.get("/deployment/api/deployments/\(id)?expand=lastRequest,resources").decode(Deployment.self)
  }

  static func machines(_ deployment: Deployment) -> [DeploymentResource] {
    (deployment.resources ?? []).filter { $0.type == "Cloud.vSphere.Machine" }.sorted { $0.name < $1.name }
  }
}
