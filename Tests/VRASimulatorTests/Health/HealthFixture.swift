import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing
import VRAModels

/// Steps the health URL tests share: a template whose machine's health URL is an output, and a
/// plain probe of an absolute URL (what a smoke check does: no token, no retries).
enum HealthFixture {
  /// A machine `app` (its health URL the output `url`) and a network, which has none.
  static let template = """
    formatVersion: 1
    resources:
      net:
        type: Cloud.vSphere.Network
        properties:
          networkType: existing
      app:
        type: Cloud.vSphere.Machine
        properties:
          image: ubuntu
          networks:
            - network: ${resource.net.id}
    outputs:
      url:
        value: ${resource.app.healthUrl}
    """

  /// What a probe got: status, headers and the body as text.
  struct Answer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String
  }

  static func probe(_ url: String, method: HTTPMethod = .GET) async throws -> Answer {
    var request = HTTPClientRequest(url: url)
    request.method = method
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1024 * 1024)
    return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
  }

  /// Probes `url` until it answers `status`; returns that answer (fails at the deadline).
  static func waitFor(_ status: Int, at url: String, timeout: Duration = .seconds(30)) async throws -> Answer {
    try await pollForValue(timeout: timeout) {
      let answer = try await probe(url)
      return answer.status == status ? answer : nil
    }
  }

  /// Requests a deployment of `template` (not waiting for it) and returns its id.
  static func deploy(
    _ session: SimulatorSession, name: String, template: String = HealthFixture.template
  ) async throws -> String {
    let blueprintId = try await session.createBlueprint(name: "bp-\(name)", content: template)
    let order = try await session.requestDeployment(blueprintId: blueprintId, name: name)
    return try #require(order.deploymentId)
  }

  /// Deploys and waits until the deployment is CREATE_SUCCESSFUL; returns its id.
  static func deployAndWait(
    _ session: SimulatorSession, name: String, template: String = HealthFixture.template
  ) async throws -> String {
    let id = try await deploy(session, name: name, template: template)
    let deployment = try await session.waitForDeployment(id)
    #expect(deployment.status == .createSuccessful)
    return id
  }

  /// The resources of a deployment as the API shows them, by name.
  static func resources(
    _ session: SimulatorSession, _ deploymentId: String
  ) async throws -> [String: DeploymentResource] {
    let deployment = try await session.get("/deployment/api/deployments/\(deploymentId)?expand=resources")
      .decode(Deployment.self)
    return Dictionary(
      (deployment.resources ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// The `healthUrl` property of a resource as the API shows it, nil while it has none.
  static func healthURL(_ session: SimulatorSession, _ deploymentId: String, _ name: String) async throws -> String? {
    try await resources(session, deploymentId)[name]?.properties?["healthUrl"]?.stringValue
  }
}
