import Engine
import Foundation
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

@Suite("Batched deployment tracker", .serialized)
struct DeploymentTrackerTests {
  @Test("many deployments in two projects cost one list call per project per tick, no per-id GETs")
  func batchedPolling() async throws {
    try await TrackerFixture.with(slowSeconds: 150) { fixture in
      var started: [(deployment: String, request: String, project: String)] = []
      for index in 0..<40 {
        let project = fixture.projects[index % 2]
        let (deployment, request) = try await fixture.deploy("slow", in: project, name: "batch-\(index)")
        started.append((deployment, request, project))
      }
      let before = try await fixture.stats()
      let trackerHandle = await TrackerHandle.start(
        client: fixture.client, configuration: TrackerFixture.configuration())
      let tracker = trackerHandle.tracker
      let results = try await withThrowingTaskGroup(of: DeploymentRequest.self) { group in
        for item in started {
          group.addTask {
            try await tracker.waitForTerminal(
              deploymentId: item.deployment, projectId: item.project, requestId: item.request, timeout: .seconds(60))
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      #expect(results.count == 40)
      #expect(results.allSatisfy { $0.status == .successful && $0.completedTasks == $0.totalTasks })

      let after = try await fixture.stats()
      let statistics = await tracker.statistics
      let listCalls = after.count(TrackerFixture.listRoute) - before.count(TrackerFixture.listRoute)
      // Every tick of a project loop is exactly one list call: 40 deployments fit in one page.
      #expect(listCalls == statistics.listCalls)
      #expect(statistics.listCalls == statistics.ticks, "\(statistics)")
      #expect(after.count(TrackerFixture.deploymentRoute) == before.count(TrackerFixture.deploymentRoute))
      #expect(after.count(TrackerFixture.requestRoute) == before.count(TrackerFixture.requestRoute))
      #expect(statistics.apiCalls == listCalls)
      // Per-deployment polling would have made one call per deployment per tick.
      #expect(listCalls * 10 < 40 * statistics.ticks / 2)
      // Every call filtered on one project, the watermark and lastRequest, in update order.
      let calls = try await fixture.recentCalls().filter { $0.route == "/deployment/api/deployments" }
      let queries = calls.map { $0.query.removingPercentEncoding ?? $0.query }
      #expect(!queries.isEmpty)
      #expect(queries.allSatisfy { $0.contains("projects=") && $0.contains("expand=lastRequest") })
      #expect(
        queries.allSatisfy { $0.contains("$orderby=lastUpdatedAt asc") || $0.contains("$orderby=lastUpdatedAt+asc") })
      #expect(queries.dropFirst(2).allSatisfy { $0.contains("lastUpdatedAt=[") })
      #expect(await tracker.activeProjectIds.isEmpty)
      #expect(await tracker.watchedCount == 0)
    }
  }

  @Test("the update stream reports progress then the terminal status, and the failure message")
  func updateStream() async throws {
    try await TrackerFixture.with { fixture in
      let project = fixture.projects[1]
      let trackerHandle = await TrackerHandle.start(
        client: fixture.client, configuration: TrackerFixture.configuration())
      let tracker = trackerHandle.tracker
      let (deployment, _) = try await fixture.deploy("failing", in: project, name: "stream")
      var updates: [TrackedUpdate] = []
      for await update in await tracker.updates(deploymentId: deployment, projectId: project) {
        updates.append(update)
      }
      let last = try requireValue(updates.last, "an update")
      #expect(last.kind == .terminal)
      #expect(last.status == .failed)
      #expect(last.failureMessage?.isEmpty == false)
      #expect(updates.dropLast().allSatisfy { $0.kind == .progress })
      #expect(updates.allSatisfy { $0.deploymentId == deployment && $0.projectId == project })
      // No update repeats the one before it (the watermark overlap re-reads are de-duplicated).
      for (previous, next) in zip(updates, updates.dropFirst()) {
        #expect(
          previous.status != next.status || previous.completedTasks != next.completedTasks
            || previous.details != next.details)
      }
    }
  }

  @Test("cancelling a waiter ends it at once and stops the project's loop")
  func cancellationIsPrompt() async throws {
    try await TrackerFixture.with(slowSeconds: 1_000_000) { fixture in
      let project = fixture.projects[0]
      let trackerHandle = await TrackerHandle.start(
        client: fixture.client,
        configuration: TrackerFixture.configuration(minInterval: .seconds(5), maxInterval: .seconds(30)))
      let tracker = trackerHandle.tracker
      let (deployment, request) = try await fixture.deploy("slow", in: project, name: "cancelled")
      let waiter = Task {
        try await tracker.waitForTerminal(deploymentId: deployment, projectId: project, requestId: request)
      }
      let updates = await tracker.updates(deploymentId: deployment, projectId: project, requestId: request)
      var iterator = updates.makeAsyncIterator()
      _ = await iterator.next()  // the first tick has run: both subscribers are attached, the loop sleeps 5 s
      let start = ContinuousClock.now
      waiter.cancel()
      let outcome = await waiter.result
      let elapsed = ContinuousClock.now - start
      #expect(throws: CancellationError.self) { try outcome.get() }
      #expect(elapsed < .milliseconds(500), "cancellation took \(elapsed)")
      #expect(await tracker.watchedCount == 1)  // the stream subscriber still watches
      await trackerHandle.stop()
      #expect(await iterator.next() == nil)
      #expect(await tracker.activeProjectIds.isEmpty)
    }
  }

  @Test("a deployment deleted out from under the tracker is reported after one fallback GET (404)")
  func deletedDeployment() async throws {
    try await TrackerFixture.with(slowSeconds: 1_000_000) { fixture in
      let project = fixture.projects[0]
      let trackerHandle = await TrackerHandle.start(
        client: fixture.client, configuration: TrackerFixture.configuration())
      let tracker = trackerHandle.tracker
      // A long-running watch keeps the project's loop (and its watermark) going.
      let (busy, busyRequest) = try await fixture.deploy("slow", in: project, name: "busy")
      let busyUpdates = await tracker.updates(deploymentId: busy, projectId: project, requestId: busyRequest)
      var busyIterator = busyUpdates.makeAsyncIterator()
      _ = await busyIterator.next()

      let (doomed, create) = try await fixture.deploy("quick", in: project, name: "doomed")
      let created = try await tracker.waitForTerminal(
        deploymentId: doomed, projectId: project, requestId: create, timeout: .seconds(30))
      #expect(created.status == .successful)
      // Someone else deletes it; the delete request itself is tracked to its end...
      let delete = try await fixture.client.deleteDeployment(id: doomed)
      let deleted = try await tracker.waitForTerminal(
        deploymentId: doomed, projectId: project, requestId: delete.id, timeout: .seconds(30))
      #expect(deleted.status == .successful)
      let before = try await fixture.stats()

      // ...and a watch on the deleted deployment ends with deploymentNotFound, not at the timeout.
      await #expect(throws: TrackerError.deploymentNotFound(deploymentId: doomed)) {
        try await tracker.waitForTerminal(deploymentId: doomed, projectId: project, timeout: .seconds(30))
      }
      let after = try await fixture.stats()
      #expect(
        after.count(TrackerFixture.deploymentRoute, status: 404)
          - before.count(TrackerFixture.deploymentRoute, status: 404) == 1)
      #expect(await tracker.watchedCount == 1)
      await trackerHandle.stop()
    }
  }

  @Test("a followed request that is no longer the deployment's lastRequest is looked up by id")
  func supersededRequest() async throws {
    try await TrackerFixture.with(slowSeconds: 100) { fixture in
      let project = fixture.projects[1]
      let (deployment, create) = try await fixture.deploy("quick", in: project, name: "superseded")
      let trackerHandle = await TrackerHandle.start(
        client: fixture.client, configuration: TrackerFixture.configuration())
      let tracker = trackerHandle.tracker
      _ = try await tracker.waitForTerminal(deploymentId: deployment, projectId: project, requestId: create)
      let delete = try await fixture.client.deleteDeployment(id: deployment)
      let before = try await fixture.stats()
      // The create request is over and the delete one is now lastRequest: the answer comes from a GET by id.
      let result = try await tracker.waitForTerminal(
        deploymentId: deployment, projectId: project, requestId: create, timeout: .seconds(30))
      #expect(result.id == create)
      #expect(result.status == .successful)
      let after = try await fixture.stats()
      #expect(after.count(TrackerFixture.requestRoute) - before.count(TrackerFixture.requestRoute) == 1)
      _ = try await tracker.waitForTerminal(
        deploymentId: deployment, projectId: project, requestId: delete.id, timeout: .seconds(30))
    }
  }

  @Test("the timeout ends a wait on a request that never finishes")
  func timeout() async throws {
    try await TrackerFixture.with(slowSeconds: 1_000_000) { fixture in
      let project = fixture.projects[0]
      let trackerHandle = await TrackerHandle.start(
        client: fixture.client, configuration: TrackerFixture.configuration())
      let tracker = trackerHandle.tracker
      let (deployment, request) = try await fixture.deploy("slow", in: project, name: "forever")
      await #expect(throws: TrackerError.timedOut(deploymentId: deployment, after: .milliseconds(300))) {
        try await tracker.waitForTerminal(
          deploymentId: deployment, projectId: project, requestId: request, timeout: .milliseconds(300))
      }
    }
  }

  @Test("keyset paging with ties: every deployment is reported even with a page size of 3")
  func pagingWithTies() async throws {
    try await TrackerFixture.with(slowSeconds: 100) { fixture in
      let project = fixture.projects[0]
      var started: [(String, String)] = []
      for index in 0..<17 { started.append(try await fixture.deploy("slow", in: project, name: "page-\(index)")) }
      var configuration = TrackerFixture.configuration()
      configuration.pageSize = 3
      let trackerHandle = await TrackerHandle.start(client: fixture.client, configuration: configuration)
      let tracker = trackerHandle.tracker
      let results = try await withThrowingTaskGroup(of: String?.self) { group in
        for (deployment, request) in started {
          group.addTask {
            try await tracker.waitForTerminal(
              deploymentId: deployment, projectId: project, requestId: request, timeout: .seconds(60)
            ).id
          }
        }
        return try await group.reduce(into: Set<String>()) { if let id = $1 { $0.insert(id) } }
      }
      #expect(results == Set(started.map(\.1)))
      let statistics = await tracker.statistics
      #expect(statistics.deploymentLookups == 0 && statistics.requestLookups == 0, "\(statistics)")
      #expect(statistics.listCalls > statistics.ticks)  // several pages per tick at first
    }
  }
}
