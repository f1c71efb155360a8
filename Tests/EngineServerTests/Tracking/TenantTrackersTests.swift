import Credentials
import Engine
import Foundation
import TestSupport
import Testing
import VRAModels

@testable import EngineServer

/// The service's trackers on one host (a store no other host shares): one per tenant.
@Suite struct TenantTrackersTests {
  @Test func waitsOfATenantShareOneTrackerAndChangedSettingsGetAFreshOne() async throws {
    try await ReplicaTrackingFixture.with(seconds: 2) { fixture in
      let sessions = TenantSessions(
        statePath: "/nonexistent/state.db", configFile: "/nonexistent/serve.yaml", environment: [:], simulator: nil)
      let trackers = TenantTrackers(sessions: sessions, coordinator: nil, logger: ReplicaTrackingFixture.quietLogger)
      var tenant = TenantConfiguration(
        name: "team-a",
        vra: TenantEndpoint(
          url: URL(string: fixture.harness.server.baseURL)!, username: "admin", password: Secret("VMware1!"),
          domain: "vsphere.local", org: ReplicaTrackingFixture.org))
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await trackers.run() }
        defer { group.cancelAll() }

        let before = try await fixture.listCalls()
        let deployments = try await fixture.deploy(4, prefix: "shared")
        let tracking = trackers.tracking(for: tenant)
        let ends = try await withThrowingTaskGroup(of: TrackedUpdate.self) { waits in
          for item in deployments {
            waits.addTask {
              try await tracking.waitForEnd(
                deploymentId: item.deployment, projectId: fixture.projectId, requestId: item.request,
                timeout: .seconds(60)
              ) { _ in }
            }
          }
          return try await waits.reduce(into: []) { $0.append($1) }
        }
        #expect(ends.count == 4 && ends.allSatisfy { $0.status == .successful })
        #expect(await trackers.trackerCount == 1)
        let first = try #require(await trackers.tracker(for: tenant))
        // One loop for the four waits: every list call is one of its ticks.
        let statistics = await first.statistics
        #expect(try await fixture.listCalls() - before == statistics.listCalls)
        #expect(statistics.listCalls == statistics.ticks)

        // serve.yaml edited: the tenant's vRA settings changed, its next wait gets a new tracker
        // and the old one (nobody waits on it) ends.
        tenant.vra?.insecureSkipVerify = true
        let next = try await fixture.deploy(1, prefix: "after-reload")[0]
        let end = try await trackers.tracking(for: tenant).waitForEnd(
          deploymentId: next.deployment, projectId: fixture.projectId, requestId: next.request, timeout: .seconds(60)
        ) { _ in }
        #expect(end.status == .successful)
        let second = try #require(await trackers.tracker(for: tenant))
        #expect(second !== first)
        #expect(await trackers.trackerCount == 1)
      }
    }
  }
}
