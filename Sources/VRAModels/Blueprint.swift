import Foundation

/// A cloud template (`Blueprint` in the Blueprint API).
public struct Blueprint: Codable, Sendable, Identifiable {
  public var id: String?
  public var name: String?
  public var description: String?
  /// The template YAML.
  public var content: String?
  public var projectId: String?
  public var projectName: String?
  public var orgId: String?
  public var requestScopeOrg: Bool?
  public var selfLink: String?
  public var status: BlueprintStatus?
  public var totalVersions: Int?
  public var totalReleasedVersions: Int?
  public var valid: Bool?
  public var validationMessages: [BlueprintValidationMessage]?
  /// How the last sync from a content source (e.g. a Git repository) went; nil for a blueprint
  /// that does not come from one.
  public var contentSourceSyncStatus: ContentSourceSyncStatus?
  public var createdAt: Date?
  public var createdBy: String?
  public var updatedAt: Date?
  public var updatedBy: String?

  public init(
    id: String? = nil, name: String?, description: String? = nil, content: String?, projectId: String?,
    requestScopeOrg: Bool? = nil
  ) {
    self.id = id
    self.name = name
    self.description = description
    self.content = content
    self.projectId = projectId
    self.requestScopeOrg = requestScopeOrg
  }
}

/// `DRAFT`, `VERSIONED`, `RELEASED`.
public struct BlueprintStatus: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let draft: Self = "DRAFT"
  public static let versioned: Self = "VERSIONED"
  public static let released: Self = "RELEASED"
  public static let documented: [Self] = [.draft, .versioned, .released]
}

/// `SUCCESSFUL`, `FAILED`: the last sync of a blueprint from its content source.
public struct ContentSourceSyncStatus: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let successful: Self = "SUCCESSFUL"
  public static let failed: Self = "FAILED"
  public static let documented: [Self] = [.successful, .failed]
}
