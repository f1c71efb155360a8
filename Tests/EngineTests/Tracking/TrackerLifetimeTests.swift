import Engine
import Foundation
import Testing
import VRAModels

/// `DeploymentTracker.with`: the project loops are child tasks of the call, so nothing of the
/// tracker runs once it returns, and whoever still waits is told it stopped.
@Suite struct TrackerLifetimeTests {
  @Test func nothingPollsAfterWithReturnsAndWaitersAreToldItStopped() async throws {
    try await TrackerFixture.with(slowSeconds: 1_000_000) { fixture in
      let project = fixture.projects[0]
      let (deployment, request) = try await fixture.deploy("slow", in: project, name: "outlived")
      let configuration = TrackerFixture.configuration(minInterval: .milliseconds(20), maxInterval: .milliseconds(40))
      let waiter = try await DeploymentTracker.with(client: fixture.client, configuration: configuration) { tracker in
        let waiter = Task {
          try await tracker.waitForTerminal(deploymentId: deployment, projectId: project, requestId: request)
        }
        // The loop has run (its first tick reported the request) before the body ends.
        var updates = await tracker.updates(deploymentId: deployment, projectId: project, requestId: request)
          .makeAsyncIterator()
        #expect(await updates.next() != nil)
        return waiter
      }
      await #expect(throws: TrackerError.self) { try await waiter.value }

      // No loop outlived the call: the list count stays put for many poll intervals.
      let after = try await fixture.stats().count(TrackerFixture.listRoute)
      try await Task.sleep(for: .milliseconds(400))
      #expect(try await fixture.stats().count(TrackerFixture.listRoute) == after)
    }
  }
}
