import Foundation

/// A request acting on a deployment: create, delete, day-2 action (`Request` in the Deployment API).
public struct DeploymentRequest: Codable, Sendable, Identifiable {
  public var id: String?
  public var name: String
  public var deploymentId: String?
  public var actionId: String?
  /// `UUID:version` of the blueprint requested.
  public var blueprintId: String?
  public var catalogItemId: String?
  public var cancelable: Bool?
  public var details: String?
  public var dismissed: Bool?
  public var inputs: [String: JSONValue]?
  public var outputs: [String: JSONValue]?
  public var requestedBy: String
  public var resourceIds: [String]?
  public var status: RequestStatus?
  public var completedTasks: Int
  public var totalTasks: Int
  public var createdAt: Date
  public var initializedAt: Date?
  public var approvedAt: Date?
  public var completedAt: Date?
  public var updatedAt: Date?

  public init(
    id: String?, name: String, deploymentId: String?, requestedBy: String, status: RequestStatus?,
    completedTasks: Int, totalTasks: Int, createdAt: Date
  ) {
    self.id = id
    self.name = name
    self.deploymentId = deploymentId
    self.requestedBy = requestedBy
    self.status = status
    self.completedTasks = completedTasks
    self.totalTasks = totalTasks
    self.createdAt = createdAt
  }
}

/// The execution status of a deployment request.
public struct RequestStatus: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let created: Self = "CREATED"
  public static let pending: Self = "PENDING"
  public static let initialization: Self = "INITIALIZATION"
  public static let checkingApproval: Self = "CHECKING_APPROVAL"
  public static let approvalPending: Self = "APPROVAL_PENDING"
  public static let userInteractionPending: Self = "USER_INTERACTION_PENDING"
  public static let inProgress: Self = "INPROGRESS"
  public static let completion: Self = "COMPLETION"
  public static let approvalRejected: Self = "APPROVAL_REJECTED"
  public static let aborted: Self = "ABORTED"
  public static let successful: Self = "SUCCESSFUL"
  public static let failed: Self = "FAILED"
  public static let documented: [Self] = [
    .created, .pending, .initialization, .checkingApproval, .approvalPending, .userInteractionPending,
    .inProgress, .completion, .approvalRejected, .aborted, .successful, .failed,
  ]

  /// No further transition will happen.
  public var isTerminal: Bool {
    self == .successful || self == .failed || self == .aborted || self == .approvalRejected
  }
  public var isFailure: Bool { self == .failed || self == .aborted || self == .approvalRejected }
}
