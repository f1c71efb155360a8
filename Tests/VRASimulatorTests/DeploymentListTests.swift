import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Deployment lists: filters, paging envelope, ordering, expansion.
@Suite struct DeploymentListTests {
  /// Three deployments: two finished, one failed.
  static func seed(_ harness: SimulatorHarness) async throws -> SimulatorSession {
    let session = try await SimulatorSession.start(harness)
    let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
    for name in ["alpha-web", "beta-web", "gamma-db"] {
      let failing: [(String, String)] = name == "gamma-db" ? [("X-Sim-Fail-Resource", "vm")] : []
      let order = try await session.requestDeployment(blueprintId: blueprintId, name: name, headers: failing)
      _ = try await session.waitForDeployment(try #require(order.deploymentId))
    }
    return session
  }

  @Test func filtersByNameSearchStatusAndProject() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await Self.seed(harness)
      func names(_ query: String) async throws -> [String] {
        try await session.get("/deployment/api/deployments?\(query)").decode(Page<Deployment>.self).content.map(\.name)
          .sorted()
      }
      #expect(try await names("name=beta-web") == ["beta-web"])
      #expect(try await names("search=web") == ["alpha-web", "beta-web"])
      #expect(try await names("status=CREATE_FAILED") == ["gamma-db"])
      #expect(try await names("lastRequestStatus=SUCCESSFUL") == ["alpha-web", "beta-web"])
      #expect(try await names("projects=\(session.projectId)").count == 3)
      #expect(try await names("projects=00000000-0000-0000-0000-000000000000").isEmpty)
    }
  }

  @Test func pagesOrdersAndExpands() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await Self.seed(harness)
      let page = try await session.get("/deployment/api/deployments?$top=2&$skip=2&$orderby=name%20desc")
        .decode(Page<Deployment>.self)
      #expect(page.content.map(\.name) == ["alpha-web"])
      #expect(page.totalElements == 3)
      #expect(page.totalPages == 2)
      #expect(page.number == 1)
      #expect(page.last == true)
      let ordered = try await session.get("/deployment/api/deployments?$orderby=name%20asc").decode(
        Page<Deployment>.self)
      #expect(ordered.content.map(\.name) == ["alpha-web", "beta-web", "gamma-db"])
      let plain = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self)
      #expect(plain.content.allSatisfy { $0.resources == nil && $0.lastRequest == nil })
      let expanded = try await session.get("/deployment/api/deployments?expand=resources,lastRequest,project")
      let deployments = try expanded.decode(Page<Deployment>.self).content
      #expect(deployments.allSatisfy { $0.resources?.count == 1 && $0.lastRequest != nil })
      #expect(expanded.json["content"]?[0]?["project"]?["id"]?.stringValue == session.projectId)
    }
  }

  @Test func lastUpdatedAtRangeIsInclusive() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await Self.seed(harness)
      let all = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content
      let times = all.compactMap(\.lastUpdatedAt).sorted()
      try #require(times.count == 3)
      let from = VRAJSON.formatTimestamp(times[1])
      let to = VRAJSON.formatTimestamp(times[2])
      let inRange = try await session.get("/deployment/api/deployments?lastUpdatedAt=[\(from),\(to)]")
        .decode(Page<Deployment>.self)
      #expect(inRange.content.count == 2)
      let bad = try await session.get("/deployment/api/deployments?lastUpdatedAt=yesterday")
      #expect(bad.status == 400)
    }
  }

  @Test func requestsAndResourcesOfADeployment() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await Self.seed(harness)
      let deployment = try #require(
        try await session.get("/deployment/api/deployments?name=alpha-web").decode(Page<Deployment>.self).content.first)
      let id = try #require(deployment.id)
      let resources = try await session.get("/deployment/api/deployments/\(id)/resources")
        .decode(Page<DeploymentResource>.self)
      #expect(resources.content.map(\.name) == ["vm"])
      let requests = try await session.get("/deployment/api/deployments/\(id)/requests")
        .decode(Page<DeploymentRequest>.self)
      #expect(requests.content.map(\.name) == ["Create"])
      let running = try await session.get("/deployment/api/deployments/\(id)/requests?inprogressRequests=true")
        .decode(Page<DeploymentRequest>.self)
      #expect(running.content.isEmpty)
    }
  }
}
