import Foundation
import VRAModels

/// Changes made outside vRA (someone deletes a VM in vCenter, resizes it by hand) as vRA sees them
/// once it has synced: what a drift check and the next update's plan must notice. Admin API only.
extension SimulatorState {
  func setFailUpdates(_ patterns: [String]) throws {
    guard configuration.faults.enabled else {
      throw APIError.badRequest("faults are disabled; start the simulator with faults.enabled: true or --faults")
    }
    configuration.faults.failUpdates = patterns
  }

  var failUpdates: [String] { configuration.faults.failUpdates }

  /// Removes a resource from its deployment, with no request (the next update creates it again).
  func removeResourceOutside(_ resourceId: String, of deploymentId: String, org: String?) throws {
    var deployment = try outsideDeployment(deploymentId, org: org)
    guard let index = deployment.resources.firstIndex(where: { $0.id == resourceId }) else {
      throw APIError.notFound("Resource", resourceId)
    }
    deployment.resources.remove(at: index)
    deployment.lastUpdatedAt = Date()
    deployments[deploymentId] = deployment
    markChanged()
  }

  /// Overwrites properties of a resource (a JSON null removes one), with no request.
  func changeResourceOutside(
    _ resourceId: String, of deploymentId: String, properties: [String: JSONValue], org: String?
  ) throws -> ResourceRecord {
    var deployment = try outsideDeployment(deploymentId, org: org)
    guard let index = deployment.resources.firstIndex(where: { $0.id == resourceId }) else {
      throw APIError.notFound("Resource", resourceId)
    }
    for (key, value) in properties {
      deployment.resources[index].properties[key] = value == .null ? nil : value
    }
    deployment.lastUpdatedAt = Date()
    deployments[deploymentId] = deployment
    markChanged()
    return deployment.resources[index]
  }

  private func outsideDeployment(_ id: String, org: String?) throws -> DeploymentRecord {
    guard let deployment = deployments[id], !deployment.deleted, org.map({ $0 == deployment.orgId }) ?? true else {
      throw APIError.notFound("Deployment", id)
    }
    return deployment
  }
}
