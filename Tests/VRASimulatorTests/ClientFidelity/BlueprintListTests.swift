import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Item 6 of issue 13: the blueprint list orders (`$orderby`), selects (`$select`), leaves out
/// `content` unless asked, and `search` matches the name and the description.
@Suite struct BlueprintListTests {
  static func seed(_ harness: SimulatorHarness) async throws -> SimulatorSession {
    let session = try await SimulatorSession.start(harness)
    for (name, description) in [("alpha", "the web tier"), ("beta", "the database"), ("gamma", "web cache")] {
      let response = try await session.post(
        "/blueprint/api/blueprints",
        [
          "name": .string(name), "description": .string(description), "projectId": .string(session.projectId),
          "content": .string(SampleTemplates.single),
        ])
      #expect(response.status == 201)
    }
    return session
  }

  static func list(_ session: SimulatorSession, _ query: String) async throws -> [JSONValue] {
    let response = try await session.get("/blueprint/api/blueprints?\(query)")
    #expect(response.status == 200, "\(query): \(response.json)")
    return response.json["content"]?.arrayValue ?? []
  }

  @Test func searchMatchesTheNameAndTheDescription() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await Self.seed(harness)
      let found = try await Self.list(session, URLEncoded.python([("search", "WEB")]))
      #expect(found.compactMap { $0["name"]?.stringValue } == ["alpha", "gamma"])
      let both = try await Self.list(session, URLEncoded.python([("search", "the data")]))
      #expect(both.compactMap { $0["name"]?.stringValue } == ["beta"], "a + in the query is a space")
    }
  }

  @Test func ordersSelectsAndLeavesContentOutUnlessAsked() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await Self.seed(harness)
      let descending = try await Self.list(session, "%24orderby=name+desc")
      #expect(descending.compactMap { $0["name"]?.stringValue } == ["gamma", "beta", "alpha"])
      #expect(descending.allSatisfy { $0["content"] == nil }, "the list is a summary")
      #expect(descending.allSatisfy { $0["projectId"] != nil })

      let selected = try await Self.list(session, URLEncoded.python([("$select", "name,description"), ("$top", "1")]))
      #expect(selected.count == 1)
      #expect(Set(selected.first?.objectValue?.keys ?? [:].keys) == ["id", "name", "description"])

      let withContent = try await Self.list(session, URLEncoded.python([("$select", "name,content")]))
      #expect(withContent.allSatisfy { $0["content"]?.stringValue == SampleTemplates.single })
      let everything = try await Self.list(session, "%24select=%2A")
      #expect(everything.allSatisfy { $0["content"] != nil && $0["status"] != nil })
      let bad = try await session.get("/blueprint/api/blueprints?%24orderby=name+upwards")
      #expect(bad.status == 400)
    }
  }
}
