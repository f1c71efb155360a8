import VRAModels

/// Waits for a deployment's request to end. `DeploymentTracker` is the production conformer (one
/// batched poll per project); tests may plug in anything that observes the simulator.
public protocol RequestTracking: Sendable {
  /// Returns when the request ends (successful, failed or aborted), reporting progress on the way.
  ///
  /// - Parameter requestId: the request to follow; nil means the deployment's last request.
  /// - Throws: `CancellationError` when the calling task is cancelled; a timeout error when
  ///   `timeout` passes first.
  func waitForEnd(
    deploymentId: String, projectId: String, requestId: String?, timeout: Duration?,
    progress: @escaping @Sendable (TrackedUpdate) -> Void
  ) async throws -> TrackedUpdate
}
