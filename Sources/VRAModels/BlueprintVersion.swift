import Foundation

/// A frozen version of a blueprint (`BlueprintVersion`).
public struct BlueprintVersion: Codable, Sendable, Identifiable {
  public var id: String?
  public var blueprintId: String?
  public var name: String?
  public var description: String?
  public var content: String?
  public var version: String?
  public var versionDescription: String?
  public var versionChangeLog: String?
  public var status: BlueprintStatus?
  public var valid: Bool?
  public var projectId: String?
  public var projectName: String?
  public var orgId: String?
  public var selfLink: String?
  public var createdAt: Date?
  public var createdBy: String?
  public var updatedAt: Date?
  public var updatedBy: String?

  public init(id: String? = nil, blueprintId: String? = nil, version: String? = nil) {
    self.id = id
    self.blueprintId = blueprintId
    self.version = version
  }
}

/// Body of `POST /blueprint/api/blueprints/{id}/versions` (`BlueprintVersionRequest`).
public struct BlueprintVersionRequest: Codable, Sendable {
  public var version: String
  public var description: String?
  public var changeLog: String?
  public var release: Bool?

  public init(version: String, description: String? = nil, changeLog: String? = nil, release: Bool? = nil) {
    self.version = version
    self.description = description
    self.changeLog = changeLog
    self.release = release
  }
}
