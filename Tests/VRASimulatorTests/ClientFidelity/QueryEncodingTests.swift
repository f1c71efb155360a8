import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Item 1 of issue 13: query parameter names and values are read as Python's `urlencode` and Go's
/// `url.Values` send them (`$top` as `%24top`, a space as `+`), through one decoder every route uses.
@Suite struct QueryEncodingTests {
  @Test func theHelperEncodesAsPythonAndGoDo() {
    // The exact strings `urllib.parse.urlencode` and `url.Values.Encode` produce for these.
    #expect(
      URLEncoded.python([("$top", "1"), ("$filter", "name eq 'Zeta'")]) == "%24top=1&%24filter=name+eq+%27Zeta%27")
    #expect(URLEncoded.go(["$top": ["1"], "$skip": ["1"]]) == "%24skip=1&%24top=1")
    #expect(URLEncoded.python([("search", "a,b/c+d")]) == "search=a%2Cb%2Fc%2Bd")
  }

  @Test func percentEncodedPagingKeysPageTheIaaSProjects() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      try await ProjectFixtures.create(["Alpha", "Zeta"], session: session)
      func names(_ query: String) async throws -> [String] {
        let page = try await session.get("/iaas/api/projects?\(query)").decode(ProjectResult.self)
        return page.content.compactMap(\.name)
      }
      #expect(try await names("") == ["Alpha", "Development", "Zeta"])
      #expect(try await names("%24skip=1&%24top=1") == ["Development"], "as requests/httpx send it")
      #expect(try await names(URLEncoded.go(["$skip": ["2"], "$top": ["1"]])) == ["Zeta"], "as Go sends it")
      #expect(try await names("$skip=1&$top=1") == ["Development"], "literal $ still works")
      let projectService = try await session.get("/project-service/api/projects?%24top=1&%24skip=2")
        .decode(Page<Project>.self)
      #expect(projectService.content.compactMap(\.name) == ["Zeta"])
    }
  }

  @Test func plusIsASpaceInValuesAndEncodedKeysWorkOnDeployments() async throws {
    try await SimulatorHarness.with({ $0.faults.enabled = true }) { harness in
      let session = try await DeploymentListTests.seed(harness)
      func names(_ query: String) async throws -> (Int, [String]) {
        let response = try await session.get("/deployment/api/deployments?\(query)")
        return (response.status, (try? response.decode(Page<Deployment>.self))?.content.map(\.name) ?? [])
      }
      let descending = try await names(URLEncoded.python([("$orderby", "name desc")]))
      #expect(descending.0 == 200)
      #expect(descending.1 == ["gamma-db", "beta-web", "alpha-web"])
      #expect(try await names("%24orderby=name+desc&%24top=1&%24skip=1").1 == ["beta-web"])
      #expect(try await names("%24orderby=name%20asc").1 == ["alpha-web", "beta-web", "gamma-db"])
      #expect(try await names("search=beta%2Dweb").1 == ["beta-web"])
      let encodedList = URLEncoded.python([("status", "CREATE_FAILED,CREATE_SUCCESSFUL"), ("$orderby", "name asc")])
      #expect(try await names(encodedList).1 == ["alpha-web", "beta-web", "gamma-db"], "%2C still splits a list")
    }
  }

  @Test func encodedKeysWorkOnBlueprintRequestsAndTheCatalog() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      for name in ["one", "two", "three"] {
        let id = try await session.createBlueprint(name: name, content: SampleTemplates.single)
        _ = try await session.post("/blueprint/api/blueprints/\(id)/versions", ["version": "1", "release": true])
      }
      let items = try await session.get("/catalog/api/items?%24top=2").decode(Page<CatalogItem>.self)
      #expect(items.content.count == 2)
      #expect(items.totalElements == 3)
      let blueprints = try await session.get("/blueprint/api/blueprints?%24skip=2").decode(Page<Blueprint>.self)
      #expect(blueprints.content.compactMap(\.name) == ["three"])
    }
  }
}

/// Projects the fidelity tests list, filter and order.
enum ProjectFixtures {
  static func create(
    _ names: [String], operationTimeout: [String: Int] = [:], session: SimulatorSession
  ) async throws {
    for name in names {
      var body: [String: JSONValue] = ["name": .string(name), "description": .string("the \(name) project")]
      if let timeout = operationTimeout[name] { body["operationTimeout"] = .int(timeout) }
      let response = try await session.post("/iaas/api/projects", .object(body))
      #expect(response.status == 201, "project \(name): \(response.json)")
    }
  }
}
