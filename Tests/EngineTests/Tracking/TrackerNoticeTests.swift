import Engine
import Foundation
import TestSupport
import Testing
import VRAClient
import VRAModels

extension TimingSensitive {
  /// How soon the tracker notices a failure, counted in list calls between vRA's failure and the
  /// notice: a count over a time window, which a loaded machine stretches (a late `noticedAt` lets
  /// one more tick in), so it runs in the serial pass.
  @Suite("Tracker notice latency")
  struct TrackerNoticeTests {
    @Test("a FAILED request ends the wait in the tick that first lists it, with vRA's details")
    func failureWithinOneTick() async throws {
      try await TrackerFixture.with { fixture in
        let project = fixture.projects[0]
        let trackerHandle = await TrackerHandle.start(
          client: fixture.client,
          configuration: TrackerFixture.configuration(minInterval: .milliseconds(200), maxInterval: .seconds(2)))
        let tracker = trackerHandle.tracker
        let (deployment, request) = try await fixture.deploy("failing", in: project, name: "fails")
        let result = try await tracker.waitForTerminal(
          deploymentId: deployment, projectId: project, requestId: request, timeout: .seconds(60))
        let noticedAt = Date()
        #expect(result.status == .failed)
        #expect(result.details?.isEmpty == false)
        let completedAt = try requireValue(result.completedAt, "completedAt")
        // Exactly one list call was answered between vRA's failure and the tracker noticing it.
        let calls = try await fixture.recentCalls().filter {
          $0.route == "/deployment/api/deployments" && $0.at >= completedAt && $0.at <= noticedAt
        }
        #expect(calls.count == 1, "list calls after the failure: \(calls.map(\.at))")
      }
    }
  }
}
