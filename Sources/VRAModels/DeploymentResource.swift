import Foundation

/// A resource of a deployment (`DeploymentResource`; `Resource` in `/deployment/api/resources`).
public struct DeploymentResource: Codable, Sendable, Identifiable {
  public var id: String?
  public var name: String
  public var type: String
  public var description: String?
  public var dependsOn: [String]?
  public var properties: [String: JSONValue]?
  public var state: ResourceState?
  public var syncStatus: ResourceSyncStatus?
  public var origin: ResourceOrigin?
  public var currentRequest: DeploymentRequest?
  public var createdAt: Date?

  public init(
    id: String?, name: String, type: String, dependsOn: [String]? = nil, properties: [String: JSONValue]? = nil,
    state: ResourceState? = nil, createdAt: Date? = nil
  ) {
    self.id = id
    self.name = name
    self.type = type
    self.dependsOn = dependsOn
    self.properties = properties
    self.state = state
    self.createdAt = createdAt
  }
}

/// `PARTIAL`, `TAINTED`, `OK`.
public struct ResourceState: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let partial: Self = "PARTIAL"
  public static let tainted: Self = "TAINTED"
  public static let ok: Self = "OK"
  public static let documented: [Self] = [.partial, .tainted, .ok]
}

/// `SUCCESS`, `MISSING`, `STALE`.
public struct ResourceSyncStatus: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let success: Self = "SUCCESS"
  public static let missing: Self = "MISSING"
  public static let stale: Self = "STALE"
  public static let documented: [Self] = [.success, .missing, .stale]
}

/// `DISCOVERED`, `ONBOARDED`, `MIGRATED`.
public struct ResourceOrigin: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let discovered: Self = "DISCOVERED"
  public static let onboarded: Self = "ONBOARDED"
  public static let migrated: Self = "MIGRATED"
  public static let documented: [Self] = [.discovered, .onboarded, .migrated]
}
