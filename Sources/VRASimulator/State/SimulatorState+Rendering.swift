import CloudTemplate
import Foundation
import VRAModels

/// Renders stored records as the API types of VRAModels, per the specs' shapes.
extension SimulatorState {
  /// Which flavour of `Project` to render: IaaS adds `_links` and date-only timestamps.
  enum ProjectAPI { case iaas, projectService }

  func render(_ project: ProjectRecord, api: ProjectAPI) -> Project {
    Project(
      id: project.id, name: project.name, description: project.description, orgId: project.orgId,
      operationTimeout: project.operationTimeout, sharedResources: project.sharedResources,
      administrators: project.administrators, members: project.members, viewers: project.viewers,
      createdAt: api == .iaas ? Self.dateOnly(project.createdAt) : nil,
      updatedAt: api == .iaas ? Self.dateOnly(project.updatedAt) : nil,
      links: api == .iaas ? ["self": Href(href: "/iaas/api/projects/\(project.id)")] : nil)
  }

  static func dateOnly(_ date: Date) -> String { String(VRAJSON.formatTimestamp(date).prefix(10)) }

  func render(_ blueprint: BlueprintRecord) -> Blueprint {
    var result = Blueprint(
      id: blueprint.id, name: blueprint.name, description: blueprint.description, content: blueprint.content,
      projectId: blueprint.projectId, requestScopeOrg: blueprint.requestScopeOrg)
    result.orgId = blueprint.orgId
    result.projectName = projects[blueprint.projectId]?.name
    result.selfLink = "/blueprint/api/blueprints/\(blueprint.id)"
    result.status =
      blueprint.releasedVersions.isEmpty ? (blueprint.versions.isEmpty ? .draft : .versioned) : .released
    result.totalVersions = blueprint.versions.count
    result.totalReleasedVersions = blueprint.releasedVersions.count
    let findings = Self.validate(content: blueprint.content)
    result.valid = !findings.contains { $0.type == .error }
    result.validationMessages = findings
    result.createdAt = blueprint.createdAt
    result.createdBy = blueprint.createdBy
    result.updatedAt = blueprint.updatedAt
    result.updatedBy = blueprint.updatedBy
    return result
  }

  func render(_ version: BlueprintVersionRecord, of blueprint: BlueprintRecord) -> BlueprintVersion {
    // The id is the label, as vRA answers it: clients (Terraform's vra_blueprint_version, VMware's
    // build tools) read a version back, or request it, by its id.
    var result = BlueprintVersion(id: version.version, blueprintId: blueprint.id, version: version.version)
    result.name = blueprint.name
    result.description = blueprint.description
    result.content = version.content
    result.versionDescription = version.description
    result.versionChangeLog = version.changeLog
    result.status = version.released ? .released : .versioned
    result.valid = true
    result.projectId = blueprint.projectId
    result.projectName = projects[blueprint.projectId]?.name
    result.orgId = blueprint.orgId
    result.selfLink = "/blueprint/api/blueprints/\(blueprint.id)/versions/\(version.version)"
    result.createdAt = version.createdAt
    result.createdBy = version.createdBy
    result.updatedAt = version.updatedAt
    result.updatedBy = version.createdBy
    return result
  }

  func render(_ request: BlueprintRequestRecord) -> BlueprintRequest {
    var result = BlueprintRequest(
      blueprintId: request.blueprintId, blueprintVersion: request.blueprintVersion, content: request.content,
      deploymentName: request.deploymentName, projectId: request.projectId, inputs: request.inputs,
      reason: request.reason, description: request.description, plan: request.plan, simulate: request.simulate,
      deploymentId: request.deploymentId)
    result.id = request.id
    result.status = request.status
    result.failureMessage = request.failureMessage
    result.orgId = request.orgId
    result.projectName = projects[request.projectId]?.name
    result.requestTrackerId = request.requestId
    result.validationMessages = request.validationMessages
    result.cancelRequestedAt = request.cancelRequestedAt
    result.cancelRequestedBy = request.cancelRequestedBy
    result.createdAt = request.createdAt
    result.createdBy = request.createdBy
    result.updatedAt = request.updatedAt
    result.updatedBy = request.createdBy
    return result
  }

  func render(_ request: RequestRecord) -> DeploymentRequest {
    var result = DeploymentRequest(
      id: request.id, name: request.name, deploymentId: request.deploymentId, requestedBy: request.requestedBy,
      status: request.status, completedTasks: request.completedTasks, totalTasks: request.totalTasks,
      createdAt: request.createdAt)
    result.actionId = request.actionId
    result.blueprintId = request.blueprintId
    result.catalogItemId = request.catalogItemId
    result.cancelable = request.isCancelable
    result.details = request.details
    result.dismissed = request.dismissed ?? false
    result.resourceIds = request.resourceIds
    result.approvedAt = request.approvedAt
    result.inputs = request.inputs
    result.outputs = request.outputs
    result.initializedAt = request.initializedAt
    result.completedAt = request.completedAt
    result.updatedAt = request.updatedAt
    return result
  }

  func render(_ resource: ResourceRecord) -> DeploymentResource {
    var result = DeploymentResource(
      id: resource.id, name: resource.name, type: resource.type, dependsOn: resource.dependsOn,
      properties: resource.properties, state: resource.state, createdAt: resource.createdAt)
    result.syncStatus = .success
    return result
  }

  struct Expansion: OptionSet {
    let rawValue: Int
    static let lastRequest = Expansion(rawValue: 1)
    static let resources = Expansion(rawValue: 2)
    static let project = Expansion(rawValue: 4)
    static let blueprint = Expansion(rawValue: 8)
    static let catalog = Expansion(rawValue: 16)

    init(rawValue: Int) { self.rawValue = rawValue }
    init(_ names: [String]) {
      var set: Expansion = []
      for name in names {
        switch name {
        case "lastRequest": set.insert(.lastRequest)
        case "resources": set.insert(.resources)
        case "project": set.insert(.project)
        case "blueprint": set.insert(.blueprint)
        case "catalog": set.insert(.catalog)
        default: break
        }
      }
      self = set
    }
  }

  func render(_ deployment: DeploymentRecord, expand: Expansion) -> Deployment {
    var result = Deployment(
      id: deployment.id, name: deployment.name, projectId: deployment.projectId, status: deployment.status)
    result.description = deployment.description
    result.orgId = deployment.orgId
    result.blueprintId = deployment.blueprintId
    result.blueprintVersion = deployment.blueprintVersion
    result.catalogItemId = deployment.catalogItemId
    result.catalogItemVersion = deployment.catalogItemVersion
    result.inputs = deployment.inputs
    result.deleted = deployment.deleted
    result.ownedBy = deployment.createdBy
    result.createdAt = deployment.createdAt
    result.createdBy = deployment.createdBy
    result.lastUpdatedAt = deployment.lastUpdatedAt
    result.lastUpdatedBy = deployment.lastUpdatedBy
    result.leaseExpireAt = deployment.leaseExpireAt
    if expand.contains(.lastRequest), let last = deployment.requestIds.last.flatMap({ requests[$0] }) {
      result.lastRequest = render(last)
    }
    if expand.contains(.resources) { result.resources = deployment.resources.map(render) }
    if expand.contains(.project), let project = projects[deployment.projectId] {
      result.project = ResourceReference(id: project.id, name: project.name, description: project.description)
    }
    if expand.contains(.blueprint), let id = deployment.blueprintId {
      result.blueprint = ResourceReference(
        id: id, name: blueprints[id]?.name, description: nil, version: deployment.blueprintVersion)
    }
    if expand.contains(.catalog), let id = deployment.catalogItemId {
      result.catalog = ResourceReference(
        id: id, name: blueprints[id]?.name, description: nil, version: deployment.catalogItemVersion)
    }
    return result
  }

  func render(_ event: EventRecord) -> Event {
    var result = Event(
      id: event.id, name: event.name, details: event.details, resourceName: event.resourceName,
      resourceType: event.resourceType, timestamp: event.timestamp)
    result.hasLogs = false
    result.userEvent = false
    return result
  }

  /// A released blueprint as the catalog shows it; the item id is the blueprint id.
  func renderCatalogItem(_ blueprint: BlueprintRecord) -> CatalogItem {
    let projectIds =
      blueprint.requestScopeOrg
      ? projects.values.filter { $0.orgId == blueprint.orgId }.map(\.id).sorted() : [blueprint.projectId]
    var item = CatalogItem(
      id: blueprint.id, name: blueprint.name, projectIds: projectIds,
      type: ResourceReference(id: "com.vmw.blueprint", name: "VMware Cloud Templates"))
    item.description = blueprint.description
    item.projects = projectIds.compactMap { projects[$0] }.map {
      ResourceReference(id: $0.id, name: $0.name, description: $0.description)
    }
    if let latest = blueprint.releasedVersions.last,
      let template = try? TemplateParser.parse(latest.content, fileName: "blueprint.yaml")
    {
      item.schema = InputsSchema.jsonSchema(for: template)
    }
    item.sourceId = StableID.uuid(from: "catalog-source:\(blueprint.orgId)")
    item.sourceName = "Cloud Templates"
    item.bulkRequestLimit = 1
    item.createdAt = blueprint.createdAt
    item.createdBy = blueprint.createdBy
    item.lastUpdatedAt = blueprint.updatedAt
    item.lastUpdatedBy = blueprint.updatedBy
    return item
  }
}
