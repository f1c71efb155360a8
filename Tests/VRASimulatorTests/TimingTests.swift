import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Simulated time: independent resources provision side by side, and `--time-scale` scales every
/// duration. The simulator stamps each step with its planned time, so these are exact, not racy.
@Suite struct TimingTests {
  /// Three independent machines of different types and one that waits for all of them.
  static let fanIn = """
    formatVersion: 1
    resources:
      a:
        type: Cloud.vSphere.Machine
      b:
        type: Cloud.Machine
      c:
        type: Cloud.vSphere.Network
      d:
        type: Cloud.Machine
        dependsOn: [a, b, c]
    """

  @Test func independentResourcesAreProvisionedInParallel() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.005 }) { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "fan-in", content: Self.fanIn)
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: "fan-in-1")
      let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
      #expect(deployment.status == .createSuccessful)
      let events = try await session.get("/deployment/api/requests/\(try #require(deployment.lastRequest?.id))/events")
        .decode(Page<Event>.self).content
      func interval(_ name: String) throws -> ClosedRange<Date> {
        let start = try #require(events.first { $0.name == "Allocating and provisioning \(name)" }?.timestamp)
        let end = try #require(events.first { $0.name == "\(name) provisioned" }?.timestamp)
        return start...end
      }
      let independent = try ["a", "b", "c"].map(interval)
      // The same start for all three, and each still running when the others have started.
      #expect(Set(independent.map(\.lowerBound)).count == 1, "\(independent)")
      let latestStart = try #require(independent.map(\.lowerBound).max())
      let earliestEnd = try #require(independent.map(\.upperBound).min())
      #expect(latestStart < earliestEnd, "the intervals overlap: \(independent)")
      // Their durations follow their types (120 s, 90 s, 15 s × 0.005), so the overlap is real work.
      let seconds = independent.map { $0.upperBound.timeIntervalSince($0.lowerBound) }
      for (actual, expected) in zip(seconds, [0.6, 0.45, 0.075]) {
        #expect(abs(actual - expected) < 0.005, "\(seconds)")
      }
      // The dependant starts when the slowest of them is done.
      let d = try interval("d")
      #expect(d.lowerBound == independent.map(\.upperBound).max())
      let resources = try #require(deployment.resources)
      let created = Dictionary(uniqueKeysWithValues: resources.map { ($0.name, $0.createdAt) })
      #expect(created["a"] == created["b"] && created["b"] == created["c"])
    }
  }

  @Test func timeScaleMultipliesEverySimulatedDuration() async throws {
    // One vSphere machine: 4 s initialization + 120 s provisioning + 3 s completion at scale 1.
    let realistic = 127.0
    var durations: [Double] = []
    for scale in [0.002, 0.008] {
      let duration = try await SimulatorHarness.with({ $0.timeScale = scale }) { harness in
        let session = try await SimulatorSession.start(harness)
        let blueprintId = try await session.createBlueprint(name: "one", content: SampleTemplates.single)
        let order = try await session.requestDeployment(blueprintId: blueprintId, name: "one-\(scale)")
        let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
        let request = try #require(deployment.lastRequest)
        #expect(request.status == .successful)
        return try #require(request.completedAt).timeIntervalSince(request.createdAt)
      }
      // Timestamps have millisecond resolution.
      #expect(abs(duration - realistic * scale) < 0.003, "scale \(scale): \(duration) s")
      durations.append(duration)
    }
    let ratio = durations[1] / durations[0]
    #expect(abs(ratio - 4) < 0.1, "a 4× larger scale takes 4× longer: \(durations)")
  }
}
