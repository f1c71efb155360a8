/// The orchestrator waits through the batched tracker: one poll per project, however many
/// stages are in flight.
extension DeploymentTracker: RequestTracking {
  public nonisolated func waitForEnd(
    deploymentId: String, projectId: String, requestId: String?, timeout: Duration?,
    progress: @escaping @Sendable (TrackedUpdate) -> Void
  ) async throws -> TrackedUpdate {
    try Task.checkCancellation()
    let stream = await updates(deploymentId: deploymentId, projectId: projectId, requestId: requestId)
    return try await withThrowingTaskGroup(of: TrackedUpdate.self) { group in
      group.addTask {
        for await update in stream {
          progress(update)
          if update.isFinal { return update }
        }
        try Task.checkCancellation()
        throw TrackerError.stopped(deploymentId: deploymentId)
      }
      if let timeout {
        group.addTask {
          try await Task.sleep(for: timeout)
          throw TrackerError.timedOut(deploymentId: deploymentId, after: timeout)
        }
      }
      defer { group.cancelAll() }
      guard let result = try await group.next() else { throw TrackerError.stopped(deploymentId: deploymentId) }
      return result
    }
  }
}
