import CloudTemplate
import Engine
import Testing

@Suite("Stage graph")
struct StageGraphTests {
  /// network → db → app, network → cache; monitor stands alone; report waits on app and cache.
  let plan = PlanFixtures.plan([
    ("network", [], [:]),
    ("db", [], ["network": "${stages.network.outputs.id}"]),
    ("monitor", [], [:]),
    ("cache", ["network"], [:]),
    ("app", ["db"], ["host": "${stages.db.resources.db.address}"]),
    ("report", [], ["a": "${stages.app.deployment.id}", "c": ["x-${stages.cache.outputs.url}"]]),
  ])

  @Test("layers follow dependsOn and reference edges, in file order within a layer")
  func layers() throws {
    let graph = try StageGraph(plan: plan)
    #expect(graph.layers == [["network", "monitor"], ["db", "cache"], ["app"], ["report"]])
    #expect(graph.dependencies(of: "report") == ["cache", "app"])
    #expect(graph.dependents(of: "network") == ["db", "cache"])
    #expect(graph.dependencies(of: "monitor").isEmpty)
  }

  @Test("downstream is transitive, upstream its mirror")
  func downstream() throws {
    let graph = try StageGraph(plan: plan)
    #expect(graph.downstream(of: "db") == ["app", "report"])
    #expect(graph.downstream(of: "network") == ["db", "cache", "app", "report"])
    #expect(graph.downstream(of: "monitor").isEmpty)
    #expect(graph.upstream(of: "report") == ["network", "db", "cache", "app"])
  }

  @Test("reverse topological order puts every stage before what it waits on")
  func reverseOrder() throws {
    let graph = try StageGraph(plan: plan)
    let order = graph.reverseTopologicalOrder
    #expect(order == ["report", "app", "cache", "db", "monitor", "network"])
    for stage in order {
      for dependency in graph.dependencies(of: stage) {
        #expect(order.firstIndex(of: stage)! < order.firstIndex(of: dependency)!)
      }
    }
  }

  @Test("a cycle is an error that prints its path")
  func cycle() throws {
    let cyclic = PlanFixtures.plan([
      ("a", ["b"], [:]),
      ("b", [], ["x": "${stages.c.outputs.y}"]),
      ("c", ["a"], [:]),
      ("d", [], [:]),
    ])
    let error = try #require(throws: PlanError.self) { try StageGraph(plan: cyclic) }
    #expect(error.diagnostics.count == 1)
    #expect(error.code == .dependencyCycle)
    #expect(error.message.hasPrefix("dependency cycle: a -> b -> c -> a"))
  }

  @Test("a stage referencing itself is a one-stage cycle")
  func selfCycle() throws {
    let cyclic = PlanFixtures.plan([("a", [], ["x": "${stages.a.outputs.y}"])])
    let error = try #require(throws: PlanError.self) { try StageGraph(plan: cyclic) }
    #expect(error.message.hasPrefix("dependency cycle: a -> a"))
  }

  @Test("edges to unknown stages are left to the validator")
  func unknownStages() throws {
    let graph = try StageGraph(plan: PlanFixtures.plan([("a", ["ghost"], [:])]))
    #expect(graph.layers == [["a"]])
  }
}
