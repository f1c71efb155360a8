import Foundation

/// One requestable version of a catalog item (`CatalogItemVersion` in the Service Broker API); for a
/// cloud template item, its `id` is the blueprint version's label, the value `version` takes in a request.
public struct CatalogItemVersion: Codable, Sendable, Identifiable {
  public var id: String
  public var description: String?
  public var externalId: String?
  public var formId: String?
  /// JSON Schema of the request inputs of this version.
  public var schema: JSONValue?
  public var createdAt: Date?

  public init(
    id: String, description: String? = nil, schema: JSONValue? = nil, createdAt: Date? = nil
  ) {
    self.id = id
    self.description = description
    self.schema = schema
    self.createdAt = createdAt
  }
}
