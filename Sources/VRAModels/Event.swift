import Foundation

/// One event in the history of a deployment request (`Event`).
public struct Event: Codable, Sendable, Identifiable {
  public var id: String?
  public var name: String
  public var details: String?
  public var resourceName: String?
  public var resourceType: String?
  public var hasLogs: Bool?
  public var userEvent: Bool?
  public var timestamp: Date

  public init(
    id: String?, name: String, details: String? = nil, resourceName: String? = nil, resourceType: String? = nil,
    timestamp: Date
  ) {
    self.id = id
    self.name = name
    self.details = details
    self.resourceName = resourceName
    self.resourceType = resourceType
    self.timestamp = timestamp
  }
}
