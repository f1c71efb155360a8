import Foundation
import VRAModels

/// One stage of a run as stored: what the orchestrator needs to resume it exactly.
public struct StageRecord: Sendable, Hashable, Codable {
  public var runId: RunID
  public var name: String
  public var status: StageStatus
  /// The deployment name the intent announced (unique per run, so resume can find it in vRA).
  public var deploymentName: String?
  public var deploymentId: String?
  /// The deployment request (`/deployment/api/requests/{id}`) tracking the operation.
  public var requestId: String?
  /// The blueprint request (`/blueprint/api/blueprint-requests/{id}`), the one cancel acts on.
  public var blueprintRequestId: String?
  public var projectId: String?
  /// 0 before the first intent, then 1, 2, ... for each submission (retries after FAILED).
  public var attempt: Int
  public var outputs: JSONValue?
  public var resources: JSONValue?
  public var error: RecordedError?
  /// In an environment run: what the stage does to its deployment (nil in a plain run: create).
  public var operation: StageOperation?
  /// For an update: the deployment's last request before it was sent, so a resume can tell the
  /// update's request (a newer one) from "nothing was sent".
  public var baselineRequestId: String?
  public var updatedAt: Date

  public init(
    runId: RunID, name: String, status: StageStatus, deploymentName: String? = nil, deploymentId: String? = nil,
    requestId: String? = nil, blueprintRequestId: String? = nil, projectId: String? = nil, attempt: Int = 0,
    outputs: JSONValue? = nil, resources: JSONValue? = nil, error: RecordedError? = nil,
    operation: StageOperation? = nil, baselineRequestId: String? = nil, updatedAt: Date
  ) {
    self.runId = runId
    self.name = name
    self.status = status
    self.deploymentName = deploymentName
    self.deploymentId = deploymentId
    self.requestId = requestId
    self.blueprintRequestId = blueprintRequestId
    self.projectId = projectId
    self.attempt = attempt
    self.outputs = outputs
    self.resources = resources
    self.error = error
    self.operation = operation
    self.baselineRequestId = baselineRequestId
    self.updatedAt = updatedAt
  }

  /// True when vRA was (maybe) asked to create the deployment but no id came back before the
  /// process stopped: resume must look the deployment up by `deploymentName` before anything else.
  public var needsReconciliation: Bool {
    status == .submitting && deploymentId == nil && requestId == nil && blueprintRequestId == nil
  }
}
