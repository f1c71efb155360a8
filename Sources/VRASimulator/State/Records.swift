import Foundation
import VRAModels

// The simulator's own stored shapes. They are Codable so `--state FILE` can persist
// them; the API types of VRAModels are rendered from them per request, so the
// wire format never depends on how the simulator stores things.

struct OrgRecord: Codable, Sendable {
  var id: String
  var name: String
}

struct UserRecord: Codable, Sendable {
  var username: String
  var password: String
  var domain: String
  var orgId: String
  var principal: String
}

struct ProjectRecord: Codable, Sendable {
  var id: String
  var orgId: String
  var name: String
  var description: String?
  var operationTimeout: Int?
  var sharedResources: Bool?
  var administrators: [Principal]?
  var members: [Principal]?
  var viewers: [Principal]?
  var createdAt: Date
  var updatedAt: Date
}

struct BlueprintVersionRecord: Codable, Sendable {
  var id: String
  var version: String
  var description: String?
  var changeLog: String?
  var content: String
  var released: Bool
  var createdAt: Date
  var createdBy: String
  var updatedAt: Date
}

struct BlueprintRecord: Codable, Sendable {
  var id: String
  var orgId: String
  var projectId: String
  var name: String
  var description: String?
  var content: String
  var requestScopeOrg: Bool
  var createdAt: Date
  var createdBy: String
  var updatedAt: Date
  var updatedBy: String
  var versions: [BlueprintVersionRecord]

  var releasedVersions: [BlueprintVersionRecord] { versions.filter(\.released) }

  /// The version a client names: by its label (`1.0`), which is also the version's `id`, or by
  /// `<blueprintId>:<label>` (the id older simulators gave, still what some saved states hold).
  func version(_ reference: String) -> BlueprintVersionRecord? {
    versionIndex(reference).map { versions[$0] }
  }

  func versionIndex(_ reference: String) -> Int? {
    let label = reference.hasPrefix("\(id):") ? String(reference.dropFirst(id.count + 1)) : reference
    return versions.firstIndex { $0.version == label }
  }
}

struct BlueprintRequestRecord: Codable, Sendable {
  var id: String
  var orgId: String
  var projectId: String
  var deploymentId: String?
  var deploymentName: String?
  var blueprintId: String?
  var blueprintVersion: String?
  var content: String?
  var inputs: [String: JSONValue]
  var plan: Bool
  var simulate: Bool
  var reason: String?
  var description: String?
  var status: BlueprintRequestStatus
  var failureMessage: String?
  var validationMessages: [BlueprintValidationMessage]
  /// The deployment request this blueprint request drives.
  var requestId: String?
  var createdAt: Date
  var createdBy: String
  var updatedAt: Date
  var cancelRequestedAt: Date?
  var cancelRequestedBy: String?
  /// What-if requests (`plan: true`): when the request shows STARTED, then FINISHED. Plans have
  /// no deployment request, so their two steps live here rather than on the timeline.
  var planStartsAt: Date?
  var planFinishesAt: Date?
  /// The plan as computed when the request was accepted (every blueprint request has one; a
  /// what-if shows it once FINISHED). Secrets are masked already.
  var resourcesPlan: [BlueprintPlanResource]?
  var planTasks: [BlueprintPlanTask]?
  var planInputs: [String: JSONValue]?
  var planOutputs: [String: JSONValue]?
}

struct ResourceRecord: Codable, Sendable {
  var id: String
  /// `web` or `web[1]` for the instances of a resource with `count`.
  var name: String
  /// The template resource this instance comes from.
  var templateName: String
  var type: String
  var dependsOn: [String]
  var properties: [String: JSONValue]
  var state: ResourceState
  var createdAt: Date
}

struct DeploymentRecord: Codable, Sendable {
  var id: String
  var orgId: String
  var projectId: String
  var name: String
  var description: String?
  var blueprintId: String?
  var blueprintVersion: String?
  var catalogItemId: String?
  var catalogItemVersion: String?
  var inputs: [String: JSONValue]
  var status: DeploymentStatus
  var createdAt: Date
  var createdBy: String
  var lastUpdatedAt: Date
  var lastUpdatedBy: String
  var requestIds: [String]
  var resources: [ResourceRecord]
  var deleted: Bool
  /// The template the deployment was last created or updated from: what `Deployment.Update`
  /// runs again, and what a plan compares with (nil in states saved before updates existed).
  var content: String?
  /// Set by `Deployment.ChangeLease`; nil: no lease.
  var leaseExpireAt: Date?
  /// Set by `Deployment.EditTags` (and shown on each resource as `properties.tags`).
  var tags: [TagRecord]?
}

/// A vRA tag, `{key, value}`.
struct TagRecord: Codable, Sendable, Hashable {
  var key: String
  var value: String
}

/// What a day-2 action changes on the deployment itself when it succeeds.
struct DeploymentChange: Codable, Sendable {
  var leaseExpireAt: Date?
  var tags: [TagRecord]?
}

/// The deployment as it was before a request that waits for approval changed it, put back when the
/// request is rejected or cancelled before it ran (nothing was done).
struct DeploymentRestore: Codable, Sendable {
  var status: DeploymentStatus
  var inputs: [String: JSONValue]
  var content: String?
  var blueprintId: String?
  var blueprintVersion: String?
  var catalogItemVersion: String?
}

struct EventRecord: Codable, Sendable {
  var id: String
  var name: String
  var details: String?
  var resourceName: String?
  var resourceType: String?
  var timestamp: Date
}

/// One thing that happens to a request at a known time; the whole timeline of a
/// request is computed when it is created, then applied as the clock passes it.
struct ScheduledStep: Codable, Sendable {
  enum Kind: Codable, Sendable {
    case status(RequestStatus)
    case resourceStarted(String)
    case resourceReady(String)
    case resourceFailed(String, message: String)
    case resourceDeleted(String)
    /// An update of a resource in place begins / ends (the planned record keeps the resource's id).
    case resourceUpdateStarted(String)
    case resourceUpdated(String)
    /// A day-2 action begins on a resource / lays its result over the resource's properties.
    case resourceActionStarted(String, action: String)
    case resourceChanged(String, properties: [String: JSONValue])
    /// A day-2 action changes the deployment itself (lease, tags).
    case deploymentChanged(DeploymentChange)
    /// An approver's decision on a request that waited for approval.
    case approved(by: String, reason: String?)
    case rejected(by: String, reason: String?)
    case succeeded
    case failed(message: String)
    case aborted(by: String)
  }
  var at: Date
  var kind: Kind
}

struct RequestRecord: Codable, Sendable {
  var id: String
  var orgId: String
  var deploymentId: String
  var name: String
  var actionId: String?
  var blueprintId: String?
  var catalogItemId: String?
  var blueprintRequestId: String?
  var requestedBy: String
  var status: RequestStatus
  var completedTasks: Int
  var totalTasks: Int
  var details: String?
  var inputs: [String: JSONValue]
  var outputs: [String: JSONValue]?
  /// Template outputs (`outputs: {x: {value: '${...}'}}`), resolved on success.
  var outputExpressions: [String: JSONValue]
  var createdAt: Date
  var initializedAt: Date?
  var completedAt: Date?
  var updatedAt: Date
  var events: [EventRecord]
  var steps: [ScheduledStep]
  var nextStep: Int
  /// Resources the timeline will bring up (each joins the deployment when it starts) or, for an
  /// update, change in place (same id, the new template properties).
  var plannedResources: [ResourceRecord]
  // Day-2 actions and approvals (optional, so states saved before them still load).
  /// The resources a resource action acts on.
  var resourceIds: [String]? = nil
  var reason: String? = nil
  /// The approval this request waits for (`/_sim/approvals`), when a policy matched it.
  var approvalId: String? = nil
  var approvedAt: Date? = nil
  /// The rest of the timeline, held back until the approval is granted.
  var heldSteps: [ScheduledStep]? = nil
  var restore: DeploymentRestore? = nil
  /// Set by `POST /deployment/api/requests/{id}?action=dismiss` on a failed request.
  var dismissed: Bool? = nil

  var isDelete: Bool { actionId == DeploymentActions.delete }
  var isUpdate: Bool { actionId == DeploymentActions.update }
  /// Still waiting for an approval decision (or not yet at that point).
  var awaitsApproval: Bool { heldSteps != nil }
  /// vRA does not cancel a delete once it runs; one still waiting for approval can be withdrawn.
  var isCancelable: Bool { !status.isTerminal && (!isDelete || awaitsApproval) }
  var nextStepTime: Date? { nextStep < steps.count ? steps[nextStep].at : nil }
}
