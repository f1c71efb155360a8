import Testing

@testable import CloudTemplate

@Suite("ResourceGraph: edges, their kinds, layers and cycles")
struct GraphTests {
  static let text = """
    resources:
      app:
        type: App
        dependsOn: [db, cache]
        properties:
          db: '${resource.db.address}'
          net: '${resource["net"].id}'
          peers: '${resource.app[*].address}'
          ghost: '${resource.ghost.id}'
      db:
        type: DB
        properties:
          net: '${resource.net[0].id}'
      cache:
        type: Cache
      net:
        type: Network
      lb:
        type: LB
        properties:
          members: '${resource.app[*].id}'
          self: '${self.address}'
    """

  @Test("edges: dependsOn first, then references, unique, unknown targets and self reads left out")
  func edges() throws {
    let graph = try ResourceGraph(template: try Fixture.parse(Self.text))
    #expect(
      graph.edges.map(\.description) == [
        "app -> db (dependsOn)", "app -> cache (dependsOn)", "app -> db (reference)", "app -> net (reference)",
        "db -> net (reference)", "lb -> app (reference)",
      ])
    #expect(graph.edges.first == ResourceEdge(from: "app", to: "db", kind: .dependsOn))
  }

  @Test("layers: each resource after everything it depends on, template order inside a layer")
  func layers() throws {
    let graph = try ResourceGraph(template: try Fixture.parse(Self.text))
    #expect(graph.layers == [["cache", "net"], ["db"], ["app"], ["lb"]])
    #expect(graph.dependencies(of: "app") == ["db", "cache", "net"])
    #expect(graph.dependencies(of: "net").isEmpty)
    #expect(graph.dependencies(of: "nope").isEmpty)
    #expect(graph.dependents(of: "net") == ["app", "db"])
    #expect(graph.names == ["app", "db", "cache", "net", "lb"])
    #expect(graph.resources.map(\.type) == ["App", "DB", "Cache", "Network", "LB"])
  }

  @Test("referencedResources lists other resources once, in order of appearance")
  func referencedResources() throws {
    let template = try Fixture.parse(Self.text)
    #expect(template.resource(named: "app")?.referencedResources == ["db", "net", "ghost"])
    #expect(template.resource(named: "lb")?.referencedResources == ["app"])
  }

  @Test("independent resources share one layer")
  func independent() throws {
    let graph = try ResourceGraph(
      template: try Fixture.parse("resources:\n  a: {type: T}\n  b: {type: T}\n  c: {type: T}\n"))
    #expect(graph.edges.isEmpty)
    #expect(graph.layers == [["a", "b", "c"]])
  }

  @Test("edge kinds encode as the JSON the graph command prints")
  func edgeJSON() throws {
    #expect(ResourceEdge.Kind.reference.rawValue == "reference")
    #expect(ResourceEdge.Kind.dependsOn.rawValue == "dependsOn")
  }

  @Test("two separate cycles are both reported, a resource behind a cycle is not")
  func twoCycles() throws {
    let template = try Fixture.parse(
      """
      resources:
        a: {type: T, dependsOn: [b]}
        b: {type: T, dependsOn: [a]}
        c: {type: T, dependsOn: [a, d]}
        d: {type: T, properties: {x: '${resource.e.id}'}}
        e: {type: T, properties: {x: '${resource.d.id}'}}
      """)
    do {
      _ = try ResourceGraph(template: template)
      Issue.record("cycles were accepted")
    } catch {
      #expect(error.diagnostics.map(\.code) == [.dependencyCycle, .dependencyCycle])
      #expect(error.diagnostics.map(\.message).contains { $0.contains("a -> b -> a") })
      #expect(error.diagnostics.map(\.message).contains { $0.contains("d -> e -> d") })
      #expect(!error.diagnostics.map(\.message).contains { $0.contains("c ->") })
    }
  }

  @Test("a long chain is layered one resource per layer without recursion")
  func longChain() throws {
    let count = 2_000
    var text = "resources:\n  r0: {type: T}\n"
    for index in 1..<count { text += "  r\(index): {type: T, dependsOn: [r\(index - 1)]}\n" }
    let graph = try ResourceGraph(template: try Fixture.parse(text))
    #expect(graph.layers.count == count)
    #expect(graph.layers.last == ["r\(count - 1)"])
  }

  @Test("a long cycle is found without recursion and printed whole")
  func longCycle() throws {
    let count = 3_000
    var text = "resources:\n"
    for index in 0..<count { text += "  r\(index): {type: T, dependsOn: [r\((index + 1) % count)]}\n" }
    let template = try Fixture.parse(text)
    #expect(throws: TemplateError.self) { try ResourceGraph(template: template) }
    let cycle = try #require(TemplateValidator.validate(template).errors.first)
    #expect(cycle.code == .dependencyCycle)
    #expect(cycle.message.hasPrefix("dependency cycle: r0 -> r1 -> r2"))
    #expect(cycle.message.contains("r\(count - 1) -> r0"))
  }
}
