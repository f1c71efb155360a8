import Foundation
import VRAModels

/// Deployment lookups and edits beyond create and delete: the name check, one resource, a rename,
/// and the facets of `GET /deployment/api/deployments/filters`.
extension SimulatorState {
  /// Whether a live deployment of the org has this exact name.
  func deploymentNameExists(_ name: String, org: String) -> Bool {
    deployments.values.contains { $0.orgId == org && $0.name == name && !$0.deleted }
  }

  func resource(_ resourceId: String, of deploymentId: String, org: String) throws -> ResourceRecord {
    guard let resource = try deployment(deploymentId, org: org).resources.first(where: { $0.id == resourceId }) else {
      throw APIError.notFound("Resource", resourceId)
    }
    return resource
  }

  /// `PATCH`: overwrites the name and description given; a name another live deployment has is a 409
  /// (as at creation, unless `uniqueDeploymentNames` is off).
  func updateDeployment(
    _ id: String, with update: DeploymentUpdate, org: String, user: String
  ) throws
    -> DeploymentRecord
  {
    var deployment = try self.deployment(id, org: org)
    if let name = update.name {
      let trimmed = name.trimmingCharacters(in: .whitespaces)
      guard !trimmed.isEmpty else { throw APIError.badRequest("Deployment name must not be empty") }
      if trimmed != deployment.name, configuration.uniqueDeploymentNames,
        deploymentNameExists(trimmed, org: org)
      {
        throw APIError(
          .conflict, "Deployment with name '\(trimmed)' already exists", errorCode: 10409,
          messageId: "deployment.name.exists")
      }
      deployment.name = trimmed
    }
    if let description = update.description { deployment.description = description }
    deployment.lastUpdatedAt = Date()
    deployment.lastUpdatedBy = user
    deployments[id] = deployment
    markChanged()
    return deployment
  }

  /// The facets `GET /deployment/api/deployments/filters` lists, in vRA's ids.
  static let deploymentFilters: [Filter] = [
    Filter(id: "projects", name: "Projects", type: .multiselect),
    Filter(id: "status", name: "Status", type: .multiselect),
    Filter(id: "requestedBy", name: "Requested By", type: .multiselect),
    Filter(id: "ownedBy", name: "Owned By", type: .multiselect),
    Filter(id: "resourceTypes", name: "Resource Types", type: .multiselect),
    Filter(id: "templates", name: "Templates", type: .multiselect),
    Filter(id: "createdAt", name: "Created", type: .dateRange),
  ]

  /// The values of one facet over the org's live deployments, with counts, ordered by name;
  /// nil for a facet that is not listed.
  func deploymentFilterEntries(_ filterId: String, org: String) -> [FilterEntry]? {
    let live = deployments.values.filter { $0.orgId == org && !$0.deleted }
    var counts: [String: (name: String, count: Int)] = [:]
    func add(_ id: String, _ name: String) { counts[id, default: (name, 0)].count += 1 }
    switch filterId {
    case "projects":
      for deployment in live { add(deployment.projectId, projects[deployment.projectId]?.name ?? deployment.projectId) }
    case "status":
      for deployment in live { add(deployment.status.rawValue, deployment.status.rawValue) }
    case "requestedBy", "ownedBy":
      for deployment in live { add(deployment.createdBy, deployment.createdBy) }
    case "resourceTypes":
      for type in Set(live.flatMap { $0.resources.map(\.type) }).sorted() {
        counts[type] = (type, live.filter { $0.resources.contains { $0.type == type } }.count)
      }
    case "templates":
      for deployment in live {
        guard let id = deployment.blueprintId else { continue }
        add(id, blueprints[id]?.name ?? id)
      }
    case "createdAt":
      return []
    default:
      return nil
    }
    return counts.map { FilterEntry(id: $0.key, name: $0.value.name, count: $0.value.count) }
      .sorted { ($0.name ?? "", $0.id ?? "") < ($1.name ?? "", $1.id ?? "") }
  }
}
