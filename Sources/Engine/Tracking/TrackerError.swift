/// Why a wait on the tracker ended without a terminal request.
public enum TrackerError: Error, Sendable, Hashable, CustomStringConvertible {
  case deploymentNotFound(deploymentId: String)
  case requestNotFound(deploymentId: String, requestId: String)
  case timedOut(deploymentId: String, after: Duration)
  /// The tracker was shut down while the wait was in progress.
  case stopped(deploymentId: String)

  /// A stable machine code.
  public var code: String {
    switch self {
    case .deploymentNotFound: "tracker.deployment_not_found"
    case .requestNotFound: "tracker.request_not_found"
    case .timedOut: "tracker.timed_out"
    case .stopped: "tracker.stopped"
    }
  }

  public var message: String {
    switch self {
    case .deploymentNotFound(let id): "deployment \(id) no longer exists in vRA"
    case .requestNotFound(let deploymentId, let requestId):
      "request \(requestId) of deployment \(deploymentId) does not exist in vRA"
    case .timedOut(let id, let after): "deployment \(id) did not reach a terminal state within \(after)"
    case .stopped(let id): "tracking of deployment \(id) stopped before it finished"
    }
  }

  public var hint: String {
    switch self {
    case .deploymentNotFound: "it was deleted outside this run, or belongs to another org or project"
    case .requestNotFound: "the request record may have been purged; check the deployment's history in vRA"
    case .timedOut: "raise the timeout, or look at the request in vRA: it may wait for approval"
    case .stopped: "the engine is shutting down; resume the run to re-attach to the request"
    }
  }

  public var description: String { "\(message) (\(code)). Hint: \(hint)" }
}
