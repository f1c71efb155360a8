import Foundation

/// A request to deploy a blueprint (`BlueprintRequest`): by `blueprintId` + `blueprintVersion`,
/// or with the template inline in `content`.
public struct BlueprintRequest: Codable, Sendable, Identifiable {
  public var id: String?
  public var blueprintId: String?
  public var blueprintVersion: String?
  public var content: String?
  public var deploymentId: String?
  public var deploymentName: String?
  public var description: String?
  public var destroy: Bool?
  public var ignoreDeleteFailures: Bool?
  public var inputs: [String: JSONValue]?
  /// Plan only, without touching an existing deployment.
  public var plan: Bool?
  public var projectId: String?
  public var projectName: String?
  public var reason: String?
  /// Simulate the request with providers: nothing is provisioned.
  public var simulate: Bool?
  public var status: BlueprintRequestStatus?
  public var failureMessage: String?
  public var flowExecutionId: String?
  public var flowId: String?
  public var orgId: String?
  public var requestTrackerId: String?
  public var targetResources: [String]?
  public var validationMessages: [BlueprintValidationMessage]?
  public var cancelRequestedAt: Date?
  public var cancelRequestedBy: String?
  public var createdAt: Date?
  public var createdBy: String?
  public var updatedAt: Date?
  public var updatedBy: String?

  public init(
    blueprintId: String? = nil, blueprintVersion: String? = nil, content: String? = nil,
    deploymentName: String?, projectId: String?, inputs: [String: JSONValue]? = nil, reason: String? = nil,
    description: String? = nil, plan: Bool? = nil, simulate: Bool? = nil, deploymentId: String? = nil
  ) {
    self.blueprintId = blueprintId
    self.blueprintVersion = blueprintVersion
    self.content = content
    self.deploymentName = deploymentName
    self.projectId = projectId
    self.inputs = inputs
    self.reason = reason
    self.description = description
    self.plan = plan
    self.simulate = simulate
    self.deploymentId = deploymentId
  }
}

/// `CREATED`, `STARTED`, `FINISHED`, `FAILED`, `CANCELLED`.
public struct BlueprintRequestStatus: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let created: Self = "CREATED"
  public static let started: Self = "STARTED"
  public static let finished: Self = "FINISHED"
  public static let failed: Self = "FAILED"
  public static let cancelled: Self = "CANCELLED"
  public static let documented: [Self] = [.created, .started, .finished, .failed, .cancelled]

  public var isTerminal: Bool { self == .finished || self == .failed || self == .cancelled }
}
