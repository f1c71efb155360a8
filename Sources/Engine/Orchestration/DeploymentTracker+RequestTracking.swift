/// The orchestrator waits through the batched tracker: one poll per project, however many
/// stages are in flight.
extension DeploymentTracker: RequestTracking {
  public nonisolated func waitForEnd(
    deploymentId: String, projectId: String, requestId: String?, timeout: Duration?,
    progress: @escaping @Sendable (TrackedUpdate) -> Void
  ) async throws -> TrackedUpdate {
    try await lastUpdate(
      deploymentId: deploymentId, projectId: projectId, requestId: requestId, timeout: timeout, onUpdate: progress)
  }
}
