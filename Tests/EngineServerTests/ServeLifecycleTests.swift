import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RunState
import TestSupport
import Testing
import VRAModels

@testable import EngineServer

@Suite("serve: cancel, destroy, event streams, restart")
struct ServeLifecycleTests {
  let network = ["templates/network.yaml": EngineTemplates.network]
  let machine = ["templates/machine.yaml": EngineTemplates.machine]
  static let machinePlan = """
    name: vm
    defaults: {project: Development}
    stages:
      vm: {template: templates/machine.yaml, deploymentName: "vm-${run.id}", inputs: {network: n1}}
    """

  @Test func cancellingARunningRunCancelsItsRequestInVRA() async throws {
    try await ServeFixture.with(timeScale: 0.1) { fixture in
      let a = ServeFixture.teamA
      let id = try #require(try await fixture.submit(a, plan: Self.machinePlan, files: machine).json["id"]?.stringValue)
      _ = try await fixture.waitForStage(a, run: id, in: ["submitted", "running"])
      let answer = try await fixture.http.call(.POST, "/api/v1/runs/\(id)/cancel", token: a.token)
      #expect(answer.status == 202)
      #expect(answer.json["cancelRequested"] == .bool(true))
      let report = try await fixture.waitForStatus(a, run: id, in: ["cancelled", "succeeded", "failed"])
      #expect(report["run"]?["status"]?.stringValue == "cancelled")
      let again = try await fixture.http.call(.POST, "/api/v1/runs/\(id)/cancel", token: a.token)
      #expect(again.status == 409)
    }
  }

  @Test func aQueuedRunCancelledNeverStarts() async throws {
    try await ServeFixture.with(timeScale: 0.1, maxConcurrentRuns: 1) { fixture in
      let a = ServeFixture.teamA
      let first = try #require(
        try await fixture.submit(a, plan: Self.machinePlan, files: machine).json["id"]?.stringValue)
      _ = try await fixture.waitForStatus(a, run: first, in: ["running"])
      let queued = try #require(
        try await fixture.submit(a, plan: ServeFixture.plan(), files: network).json["id"]?.stringValue)
      let answer = try await fixture.http.call(.POST, "/api/v1/runs/\(queued)/cancel", token: a.token)
      #expect(answer.status == 202)
      #expect(answer.json["status"]?.stringValue == "cancelled")
      _ = try await fixture.http.call(.POST, "/api/v1/runs/\(first)/cancel", token: a.token)
      _ = try await fixture.waitForStatus(a, run: first, in: ["cancelled"])
      let stages = try await fixture.running.store.stages(of: RunID(rawValue: queued))
      #expect(stages.allSatisfy { $0.status == .pending && $0.deploymentName == nil }, "\(stages)")
      #expect(try await fixture.simulatorDeploymentsCreated() == 1)
    }
  }

  @Test func destroyDeletesWhatTheRunCreated() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let id = try #require(
        try await fixture.submit(a, plan: ServeFixture.plan(), files: network).json["id"]?.stringValue)
      let early = try await fixture.http.call(.POST, "/api/v1/runs/\(id)/destroy", token: a.token)
      let report = try await fixture.waitForStatus(a, run: id, in: ["succeeded"])
      #expect(early.status == 409 || early.status == 202)
      let deployment = try #require(report["stages"]?[0]?["deploymentId"]?.stringValue)
      if early.status == 409 {
        #expect(try await fixture.http.call(.POST, "/api/v1/runs/\(id)/destroy", token: a.token).status == 202)
      }
      _ = try await fixture.waitForStatus(a, run: id, in: ["destroyed"])
      let simulator = APICaller(baseURL: fixture.simulator.baseURL, checksEachAnswer: false)
      let token = try await simulator.login(username: a.username, password: a.password, domain: "corp")
      #expect(
        try await simulator.call(.GET, "/deployment/api/deployments/\(deployment)", token: token.access).status == 404)
      #expect(try await fixture.http.call(.POST, "/api/v1/runs/\(id)/destroy", token: a.token).status == 409)
    }
  }

  @Test func anEventStreamResumesRightAfterLastEventID() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let id = try #require(
        try await fixture.submit(a, plan: ServeFixture.plan(), files: network).json["id"]?.stringValue)
      let (_, whole) = try await fixture.eventStream(a, run: id)
      let events = ServerSentEvent.parse(whole)
      #expect(events.count >= 5)
      #expect(events.last?.event == "end")
      let middle = events[events.count / 2]
      let middleId = try #require(middle.id)
      let (_, rest) = try await fixture.eventStream(a, run: id, lastEventID: middleId)
      let resumed = ServerSentEvent.parse(rest)
      #expect(resumed == Array(events.drop { $0.id != middleId }.dropFirst()))
      // Ids are the store's event sequence: increasing, and each data decodes as a RunEventMessage.
      let ids = events.compactMap { $0.id.flatMap(Int64.init) }
      #expect(ids == ids.sorted() && Set(ids).count == ids.count)
      for event in events where event.event != "end" {
        let message = try JSONDecoder.vra.decode(RunEventMessage.self, from: Data(event.data.utf8))
        #expect("\(message.sequence)" == event.id)
      }
      let bad = try await fixture.http.call(
        .GET, "/api/v1/runs/\(id)/events", token: a.token, headers: [("Last-Event-ID", "x")])
      #expect(bad.status == 400)
    }
  }

  @Test func aGracefulShutdownEndsOpenEventStreamsWithoutEnd() async throws {
    try await ServeFixture.withSimulator(timeScale: 0.5) { simulator in
      let directory = try Scratch.directory()
      let a = ServeFixture.teamA
      let stream = try await ServeFixture.withService(simulator: simulator, directory: directory) { fixture in
        let id = try #require(
          try await fixture.submit(a, plan: Self.machinePlan, files: machine).json["id"]?.stringValue)
        _ = try await fixture.waitForStage(a, run: id, in: ["submitted", "running"])
        // Open the stream and read its first chunk; then shut the service down under it.
        var request = HTTPClientRequest(url: fixture.running.baseURL + "/api/v1/runs/\(id)/events")
        request.headers.add(name: "Authorization", value: "Bearer \(a.token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        var body = response.body.makeAsyncIterator()
        var text = String(buffer: try #require(try await body.next()))
        await fixture.running.shutDown()
        while let chunk = try await body.next() { text += String(buffer: chunk) }
        return (Int(response.status.code), text)
      }
      #expect(stream.0 == 200)
      #expect(stream.1.contains("event: run.created"))
      #expect(!stream.1.contains("event: end"), "the run is not finished: it was handed back")
    }
  }

  @Test func aGracefulShutdownHandsRunsBackAndTheNextStartFinishesThem() async throws {
    try await ServeFixture.withSimulator(timeScale: 0.1) { simulator in
      let directory = try Scratch.directory()
      let a = ServeFixture.teamA
      let id = try await ServeFixture.withService(simulator: simulator, directory: directory) { fixture in
        let id = try #require(
          try await fixture.submit(a, plan: Self.machinePlan, files: machine).json["id"]?.stringValue)
        _ = try await fixture.waitForStage(a, run: id, in: ["submitted", "running"])
        return id
      }
      // Handed back: still running in the store, its request recorded, no lease held.
      let store = try await SQLStateStore.openSQLite(at: directory.appendingPathComponent("state.db").path)
      let run = try #require(try await store.run(RunID(rawValue: id)))
      let stage = try #require(try await store.stage(run: RunID(rawValue: id), name: "vm"))
      try await store.close()
      #expect(run.status == .running)
      #expect(run.lease == nil)
      #expect(stage.requestId != nil || stage.blueprintRequestId != nil)

      try await ServeFixture.withService(simulator: simulator, directory: directory) { fixture in
        let report = try await fixture.waitForStatus(a, run: id, in: ["succeeded", "failed", "cancelled"])
        #expect(report["run"]?["status"]?.stringValue == "succeeded")
        #expect(
          try await fixture.simulatorDeploymentsCreated() == 1, "the resumed run re-attached; it did not resubmit")
      }
    }
  }
}

/// One parsed server-sent event.
struct ServerSentEvent: Equatable {
  var id: String?
  var event: String?
  var data: String

  static func parse(_ text: String) -> [ServerSentEvent] {
    text.components(separatedBy: "\n\n").compactMap { block in
      var event = ServerSentEvent(id: nil, event: nil, data: "")
      var seen = false
      for line in block.split(separator: "\n") where !line.hasPrefix(":") {
        seen = true
        if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
        if line.hasPrefix("event: ") { event.event = String(line.dropFirst(7)) }
        if line.hasPrefix("data: ") { event.data += String(line.dropFirst(6)) }
      }
      return seen ? event : nil
    }
  }
}

extension JSONDecoder {
  static var vra: JSONDecoder { VRAJSON.makeDecoder() }
}

extension ServeFixture {
  /// Polls until the run's first stage has one of `statuses`.
  func waitForStage(_ tenant: Tenant, run: String, in statuses: Set<String>) async throws -> JSONValue {
    try await pollForValue(timeout: .seconds(60), every: .milliseconds(25)) { () async throws -> JSONValue? in
      let response = try await http.call(.GET, "/api/v1/runs/\(run)", token: tenant.token)
      guard case .string(let status)? = response.json["stages"]?[0]?["status"], statuses.contains(status) else {
        return Optional<JSONValue>.none
      }
      return response.json
    }
  }
}
