import Engine
import Foundation
import TestSupport
import Testing
import VRAModels

@Suite("Poll bounds changed while tracking (config hot reload)")
struct PollIntervalUpdateTests {
  @Test("a loop sleeping for its 60 s maximum wakes up at once for new, shorter bounds")
  func newBoundsWakeASleepingLoop() async throws {
    // The slow resource takes 3 s here: long past the first tick, far inside the old 60 s wait.
    try await TrackerFixture.with(slowSeconds: 300) { fixture in
      let (deployment, request) = try await fixture.deploy("slow", in: fixture.projects[0], name: "rebound")
      // The first tick happens at once and sees the request still in progress; the next would be a minute later.
      let trackerHandle = await TrackerHandle.start(
        client: fixture.client,
        configuration: TrackerFixture.configuration(minInterval: .seconds(60), maxInterval: .seconds(60)))
      let tracker = trackerHandle.tracker
      let waiting = Task {
        try await tracker.waitForTerminal(
          deploymentId: deployment, projectId: fixture.projects[0], requestId: request, timeout: .seconds(120))
      }
      _ = try await fixture.harness.http.poll(timeout: .seconds(20)) {
        await tracker.statistics.ticks >= 1 ? true : nil
      }
      await tracker.updatePollIntervals(min: .milliseconds(50), max: .milliseconds(200))
      #expect(await tracker.pollIntervals == (.milliseconds(50), .milliseconds(200)))
      // Ends well inside the old 60 s wait: the loop was woken and polls at the new pace.
      let started = ContinuousClock.now
      let result = try await waiting.value
      #expect(ContinuousClock.now - started < .seconds(30))
      #expect(result.status == .successful)
      #expect(await tracker.statistics.ticks >= 2)
      await trackerHandle.stop()
    }
  }
}
