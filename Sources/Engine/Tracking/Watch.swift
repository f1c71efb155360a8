import Foundation
import VRAModels

/// One watched deployment and everyone waiting on it.
struct Watch: Sendable {
  let deploymentId: String
  let projectId: String
  var subscribers: [UInt64: Subscriber] = [:]
  /// The project loop's tick when the watch was registered.
  let registeredAtTick: Int
  var lastSeenTick: Int?
  var lastSeenAt: ContinuousClock.Instant?
  /// The latest state vRA reported (with `lastRequest`), for subscribers that join later.
  var latest: Deployment?
  /// The resource types the caller said the deployment has (a hint for the poll schedule).
  var resourceTypes: [String] = []

  init(deploymentId: String, projectId: String, registeredAtTick: Int) {
    self.deploymentId = deploymentId
    self.projectId = projectId
    self.registeredAtTick = registeredAtTick
  }
}

/// One caller's interest in a deployment: the request it follows and what it was last told.
struct Subscriber: Sendable {
  let continuation: AsyncStream<TrackedUpdate>.Continuation
  /// The request followed; nil until the deployment's `lastRequest` is first seen.
  var requestId: String?
  var lastDelivered: Progress?
  /// The deployment's `lastUpdatedAt` when the request was last looked up by id (it is not the
  /// deployment's `lastRequest`); it is looked up again only when the deployment changes.
  var lookedUpAt: Date?
  var needsLookup = false

  /// What makes an update worth sending.
  struct Progress: Equatable, Sendable {
    var status: RequestStatus?
    var completedTasks: Int
    var totalTasks: Int
    var details: String?

    init(_ request: DeploymentRequest) {
      status = request.status
      completedTasks = request.completedTasks
      totalTasks = request.totalTasks
      details = request.details
    }
  }
}
