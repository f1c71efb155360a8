import Engine
import VRAClient

/// A tracker for fixtures that open in one call and close in another (`OrchestrationHarness`,
/// the lifecycle driver): `DeploymentTracker.with` runs in a task until `stop()`, so the tracker's
/// loops stay structured under that task.
final class TrackerHandle: Sendable {
  let tracker: DeploymentTracker
  private let task: Task<Void, any Error>
  private let release: AsyncStream<Void>.Continuation

  private init(tracker: DeploymentTracker, task: Task<Void, any Error>, release: AsyncStream<Void>.Continuation) {
    self.tracker = tracker
    self.task = task
    self.release = release
  }

  static func start(client: VRAClient, configuration: TrackerConfiguration) async -> TrackerHandle {
    let (ready, handOver) = AsyncStream.makeStream(of: DeploymentTracker.self)
    let (released, release) = AsyncStream.makeStream(of: Void.self)
    let task = Task {
      try await DeploymentTracker.with(client: client, configuration: configuration) { tracker in
        handOver.yield(tracker)
        for await _ in released {}
      }
    }
    var iterator = ready.makeAsyncIterator()
    let tracker = await iterator.next()!
    return TrackerHandle(tracker: tracker, task: task, release: release)
  }

  /// Ends the tracker: every waiter gets `TrackerError.stopped`, every loop has stopped on return.
  func stop() async {
    release.finish()
    _ = await task.result
  }
}
