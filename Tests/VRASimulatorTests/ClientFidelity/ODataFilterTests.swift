import Foundation
import TestSupport
import Testing
import VRAModels

@testable import VRASimulator

/// Item 2 of issue 13: `$filter`, `$orderby`, `$select` and `$count` on the IaaS project list, as
/// Terraform's `data "vra_project"` and the generated IaaS clients send them.
@Suite struct ODataFilterTests {
  /// Alpha (timeout 600), Development (seeded), Zeta (timeout 60).
  static func seed(_ harness: SimulatorHarness) async throws -> SimulatorSession {
    let session = try await SimulatorSession.start(harness)
    try await ProjectFixtures.create(
      ["Alpha", "Zeta"], operationTimeout: ["Alpha": 600, "Zeta": 60], session: session)
    return session
  }

  static func names(_ session: SimulatorSession, _ query: String) async throws -> [String] {
    let response = try await session.get("/iaas/api/projects?\(query)")
    #expect(response.status == 200, "\(query): \(response.json)")
    return try response.decode(ProjectResult.self).content.compactMap(\.name)
  }

  @Test func terraformsExactNameFilterFindsOneProject() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await Self.seed(harness)
      // What the Terraform provider's `data "vra_project"` sends, encoded by Go's url.Values.
      let query = URLEncoded.go(["$filter": ["name eq 'Zeta'"]])
      #expect(query == "%24filter=name+eq+%27Zeta%27")
      let page = try await session.get("/iaas/api/projects?\(query)").decode(ProjectResult.self)
      #expect(page.content.compactMap(\.name) == ["Zeta"])
      #expect(page.totalElements == 1, "totalElements counts what the filter matched")
    }
  }

  @Test(arguments: [
    ("name ne 'Zeta'", ["Alpha", "Development"]),
    ("name eq 'Zeta' or name eq 'Alpha'", ["Alpha", "Zeta"]),
    ("name ne 'Zeta' and (name eq 'Alpha' or name eq 'Zeta')", ["Alpha"]),
    ("not (name eq 'Alpha')", ["Development", "Zeta"]),
    ("name eq 'Alpha' and name eq 'Zeta' or name eq 'Development'", ["Development"]),
    ("operationTimeout gt 100", ["Alpha"]),
    ("operationTimeout le 60", ["Zeta"]),
    ("operationTimeout eq null", ["Development"]),
    ("substringof('elop', name)", ["Development"]),
    ("startswith(name, 'Ze')", ["Zeta"]),
    ("endswith(tolower(name), 'pha')", ["Alpha"]),
    ("description eq 'the Alpha project'", ["Alpha"]),
    ("NAME eq 'Zeta'", []),
    ("name eq 'O''Brien'", []),
  ])
  func theODataSubsetClientsSend(filter: String, expected: [String]) async throws {
    try await SimulatorHarness.with { harness in
      let session = try await Self.seed(harness)
      let names = try await Self.names(session, URLEncoded.python([("$filter", filter)]))
      #expect(names == expected, "\(filter)")
    }
  }

  @Test(arguments: [
    "name eq", "name eq 'Zeta", "(name eq 'Zeta'", "name ~ 'Zeta'", "lengthy(name) eq 4", "name eq 'a' and",
    "startswith(name)", "eq 'Zeta'",
  ])
  func aFilterItCannotParseIsA400NeverIgnored(filter: String) async throws {
    try await SimulatorHarness.with { harness in
      let session = try await Self.seed(harness)
      let response = try await session.get("/iaas/api/projects?\(URLEncoded.python([("$filter", filter)]))")
      #expect(response.status == 400, "\(filter)")
      let error = try response.decode(ServiceErrorResponse.self)
      #expect(error.statusCode == 400)
      #expect(error.message?.contains("Invalid $filter") == true, "\(error)")
    }
  }

  @Test func orderSelectCountAndPagingTogether() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await Self.seed(harness)
      #expect(try await Self.names(session, "%24orderby=name+desc") == ["Zeta", "Development", "Alpha"])
      #expect(
        try await Self.names(session, "%24orderBy=operationTimeout+desc%2Cname") == ["Alpha", "Zeta", "Development"])
      let query = URLEncoded.python([
        ("$filter", "name ne 'Development'"), ("$orderby", "name desc"), ("$select", "name"), ("$count", "true"),
        ("$top", "1"),
      ])
      let response = try await session.get("/iaas/api/projects?\(query)")
      #expect(response.json["totalElements"]?.intValue == 2)
      #expect(response.json["numberOfElements"]?.intValue == 1)
      let only = try #require(response.json["content"]?[0]?.objectValue)
      #expect(Set(only.keys) == ["id", "name", "_links"], "the spec requires id and _links on every project")
      #expect(only["name"] == "Zeta")
      let bad = try await session.get("/iaas/api/projects?%24orderby=name+sideways")
      #expect(bad.status == 400)
    }
  }

  @Test func precedenceIsNotThenAndThenOr() throws {
    let parsed = try ODataFilter.parse("a eq 1 or not b eq 2 and c eq 'x'")
    let a = ODataFilter.compare(.eq, .field(["a"]), .literal(.number(1)))
    let b = ODataFilter.compare(.eq, .field(["b"]), .literal(.number(2)))
    let c = ODataFilter.compare(.eq, .field(["c"]), .literal(.string("x")))
    #expect(parsed == .or(a, .and(.not(b), c)))
    #expect(try ODataFilter.parse("a eq 1 and b eq 2 or c eq 'x'") == .or(.and(a, b), c))
    #expect(
      try ODataFilter.parse("customProperties/x eq -1.5")
        == .compare(.eq, .field(["customProperties", "x"]), .literal(.number(-1.5))))
  }
}
