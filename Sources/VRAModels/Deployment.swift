import Foundation

/// A group of resources provisioned together (`Deployment` in the Deployment API).
public struct Deployment: Codable, Sendable, Identifiable {
  public var id: String?
  public var name: String
  public var description: String?
  public var orgId: String?
  public var projectId: String?
  public var project: ResourceReference?
  public var blueprintId: String?
  public var blueprintVersion: String?
  public var blueprint: ResourceReference?
  public var catalogItemId: String?
  public var catalogItemVersion: String?
  public var catalog: ResourceReference?
  public var iconId: String?
  public var inputs: [String: JSONValue]?
  public var status: DeploymentStatus?
  public var lastRequest: DeploymentRequest?
  /// Expanded with `expand=resources`.
  public var resources: [DeploymentResource]?
  public var inprogressRequests: JSONValue?
  public var deleted: Bool?
  public var ownedBy: String?
  public var createdAt: Date?
  public var createdBy: String?
  public var lastUpdatedAt: Date?
  public var lastUpdatedBy: String?
  public var leaseExpireAt: Date?

  public init(id: String?, name: String, projectId: String?, status: DeploymentStatus?) {
    self.id = id
    self.name = name
    self.projectId = projectId
    self.status = status
  }
}

/// `CREATE_`/`UPDATE_`/`DELETE_` + `INPROGRESS`/`SUCCESSFUL`/`FAILED`.
public struct DeploymentStatus: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let createSuccessful: Self = "CREATE_SUCCESSFUL"
  public static let createInProgress: Self = "CREATE_INPROGRESS"
  public static let createFailed: Self = "CREATE_FAILED"
  public static let updateSuccessful: Self = "UPDATE_SUCCESSFUL"
  public static let updateInProgress: Self = "UPDATE_INPROGRESS"
  public static let updateFailed: Self = "UPDATE_FAILED"
  public static let deleteSuccessful: Self = "DELETE_SUCCESSFUL"
  public static let deleteInProgress: Self = "DELETE_INPROGRESS"
  public static let deleteFailed: Self = "DELETE_FAILED"
  public static let documented: [Self] = [
    .createSuccessful, .createInProgress, .createFailed, .updateSuccessful, .updateInProgress, .updateFailed,
    .deleteSuccessful, .deleteInProgress, .deleteFailed,
  ]

  public var isInProgress: Bool { rawValue.hasSuffix("_INPROGRESS") }
  public var isFailed: Bool { rawValue.hasSuffix("_FAILED") }
}
