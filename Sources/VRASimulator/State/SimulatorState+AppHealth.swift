import Foundation
import VRAModels

/// The health URLs of machines (`healthUrl`, served under `/_sim/apps/`): where they point, and what
/// they answer, read off the deployment as the clock has moved it.
extension SimulatorState {
  /// Sets where health URLs point (the server knows its port only once bound) and moves the URLs of
  /// an earlier run (a `--state` file written while listening on another port) there.
  func setAppURLs(_ urls: AppURLs) {
    guard appURLs != urls else { return }
    appURLs = urls
    for (id, deployment) in deployments {
      var moved = deployment
      for index in moved.resources.indices {
        moved.resources[index].properties = moved.resources[index].properties.mapValues(urls.rebased)
      }
      deployments[id] = moved
    }
    for (id, request) in requests where request.outputs != nil {
      requests[id]?.outputs = request.outputs?.mapValues(urls.rebased)
    }
    markChanged()
  }

  /// What `GET /_sim/apps/{deploymentId}/{resourceName}` answers now (`resourceName` as in the
  /// deployment: `web`, or `web[1]` for an instance of a resource with `count`).
  func appHealth(deploymentId: String, resourceName: String) -> AppHealth {
    advance()
    guard let deployment = deployments[deploymentId] else { return .unavailable(.unknownDeployment) }
    if deployment.deleted { return .unavailable(.deleted) }
    let history = deployment.requestIds.compactMap { requests[$0] }
    let running = history.last { !$0.status.isTerminal }
    guard let resource = deployment.resource(named: resourceName) else {
      return absentResourceHealth(resourceName, history: history, running: running)
    }
    if let running, running.deletes(resourceName) { return .unavailable(.deleting) }
    if resource.state == .partial {
      // Still partial once no request runs: the request that made it ended before it finished.
      return .unavailable(running == nil ? .failed : .provisioning)
    }
    if resource.state == .tainted { return .unavailable(.failed) }
    if resource.powerState == "OFF" { return .unavailable(.poweredOff) }
    if configuration.faults.enabled, FaultSettings.matches(deployment.name, anyOf: configuration.faults.unhealthyApps) {
      return .unhealthy
    }
    return .healthy
  }

  /// A resource the deployment does not have (now): about to be provisioned, gone, or never there.
  private func absentResourceHealth(
    _ name: String, history: [RequestRecord], running: RequestRecord?
  ) -> AppHealth {
    if let running, running.plannedResources.contains(where: { $0.name == name }) {
      return .unavailable(.provisioning)
    }
    // It joined the deployment once (its provisioning started), so it was deleted since.
    if history.contains(where: { request in request.events.contains { $0.resourceName == name } }) {
      return .unavailable(.deleted)
    }
    // Planned by a request that ended before it started it.
    if history.contains(where: { request in request.plannedResources.contains { $0.name == name } }) {
      return .unavailable(.failed)
    }
    return .unavailable(.unknownResource)
  }

  /// `faults.unhealthyApps`: the health URLs of deployments whose names match answer 500 once
  /// provisioned; faults must be enabled.
  func setUnhealthyApps(_ patterns: [String]) throws {
    guard configuration.faults.enabled else {
      throw APIError.badRequest("faults are disabled; start the simulator with faults.enabled: true or --faults")
    }
    configuration.faults.unhealthyApps = patterns
  }

  var unhealthyApps: [String] { configuration.faults.unhealthyApps }
}

extension RequestRecord {
  /// Whether this request (approved, or needing no approval) is still to delete the resource: a
  /// delete, or an update that removes or recreates it.
  func deletes(_ resourceName: String) -> Bool {
    steps[nextStep...].contains { step in
      if case .resourceDeleted(let name) = step.kind { return name == resourceName }
      return false
    }
  }
}
