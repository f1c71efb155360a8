import Credentials
import Foundation
import Testing
import VRAClient
import VRAModels

@testable import Engine

/// What one project's loop learns reaches the others: driven through the tracker's own
/// bookkeeping with made-up deployments (no loop runs, no call is made).
@Suite("Tracker: run times shared between projects")
struct TrackerSharingTests {
  /// Far ahead of the clock: the tracker stamps what it learns with the real time, which must come
  /// before these made-up requests' windows.
  static let t0 = Date(timeIntervalSince1970: 4_000_000_000)

  static func deployment(
    _ id: String, project: String, created: Double, done: Int, status: RequestStatus = .inProgress,
    completed: Double? = nil
  ) -> Deployment {
    var request = DeploymentRequest(
      id: "r-\(id)", name: "Create", deploymentId: id, requestedBy: "admin", status: status, completedTasks: done,
      totalTasks: 3, createdAt: t0.addingTimeInterval(created))
    request.blueprintId = "bp-1"
    request.updatedAt = t0.addingTimeInterval(completed ?? created + 1)
    request.completedAt = completed.map { t0.addingTimeInterval($0) }
    var deployment = Deployment(id: id, name: id, projectId: project, status: .createInProgress)
    deployment.lastRequest = request
    deployment.lastUpdatedAt = request.updatedAt
    return deployment
  }

  @Test("a shape that succeeded in one project forecasts the same shape in another project's schedule")
  func sharedAcrossProjects() async throws {
    let client = try VRAClient(
      configuration: VRAClientConfiguration(
        endpoint: URL(string: "http://127.0.0.1:9")!, organization: "o", authentication: .refreshToken(Secret("x"))))
    let tracker = DeploymentTracker(
      client: client, configuration: TrackerConfiguration(minInterval: .milliseconds(500), maxInterval: .seconds(100)))
    let first = await tracker.updates(deploymentId: "a", projectId: "p1", requestId: "r-a")
    let second = await tracker.updates(deploymentId: "b", projectId: "p2", requestId: "r-b")
    _ = await tracker.observe(Self.deployment("a", project: "p1", created: -40, done: 1), tick: 1)
    _ = await tracker.observe(Self.deployment("b", project: "p2", created: -10, done: 1), tick: 1)
    #expect(await tracker.projects["p2"]?.schedule.nextDue == nil)  // nothing learned yet

    // "a" succeeds 30 s after its creation, in project p1.
    _ = await tracker.observe(
      Self.deployment("a", project: "p1", created: -40, done: 3, status: .successful, completed: -10), tick: 2)
    #expect(await tracker.runTimes.values.map(\.samples) == [[30]])
    // p2's "b", created at -10, is now expected at 20, handed over 1 s (`noticeTarget`) after it.
    #expect(await tracker.projects["p2"]?.schedule.nextDue == Self.t0.addingTimeInterval(21))
    // A new project's schedule starts with what was learned.
    _ = await tracker.updates(deploymentId: "c", projectId: "p3", requestId: "r-c")
    #expect(await tracker.projects["p3"]?.schedule.learned.count == 1)

    var updates = first.makeAsyncIterator()
    #expect(await updates.next()?.kind == .progress)
    #expect(await updates.next()?.kind == .terminal)
    _ = second
    await tracker.shutdown()
  }
}
