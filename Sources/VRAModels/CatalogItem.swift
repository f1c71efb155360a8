import Foundation

/// A requestable catalog item (`CatalogItem` in the Service Broker API).
public struct CatalogItem: Codable, Sendable, Identifiable {
  public var id: String
  public var name: String
  public var description: String?
  public var projectIds: [String]
  public var projects: [ResourceReference]?
  /// JSON Schema of the request inputs.
  public var schema: JSONValue?
  public var sourceId: String?
  public var sourceName: String?
  public var type: ResourceReference
  public var externalId: String?
  public var formId: String?
  public var iconId: String?
  public var bulkRequestLimit: Int?
  public var createdAt: Date?
  public var createdBy: String?
  public var lastUpdatedAt: Date?
  public var lastUpdatedBy: String?

  public init(id: String, name: String, projectIds: [String], type: ResourceReference) {
    self.id = id
    self.name = name
    self.projectIds = projectIds
    self.type = type
  }
}

/// Body of `POST /catalog/api/items/{id}/request` (`CatalogItemRequest`).
public struct CatalogItemRequest: Codable, Sendable {
  public var deploymentName: String?
  public var projectId: String?
  public var inputs: [String: JSONValue]?
  public var reason: String?
  public var version: String?
  public var bulkRequestCount: Int?

  public init(
    deploymentName: String?, projectId: String?, inputs: [String: JSONValue]? = nil, reason: String? = nil,
    version: String? = nil, bulkRequestCount: Int? = nil
  ) {
    self.deploymentName = deploymentName
    self.projectId = projectId
    self.inputs = inputs
    self.reason = reason
    self.version = version
    self.bulkRequestCount = bulkRequestCount
  }
}

/// One element of the array `POST /catalog/api/items/{id}/request` answers.
public struct CatalogItemRequestResponse: Codable, Sendable {
  public var deploymentId: String?
  public var deploymentName: String?

  public init(deploymentId: String?, deploymentName: String?) {
    self.deploymentId = deploymentId
    self.deploymentName = deploymentName
  }
}
