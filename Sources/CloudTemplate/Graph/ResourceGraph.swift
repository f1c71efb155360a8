/// The creation order of a template's resources: edges from `dependsOn` and `${resource.X}` references,
/// and topological layers (each layer can be provisioned in parallel once the previous ones exist).
public struct ResourceGraph: Sendable, Hashable {
  /// Resource names and types, in template order.
  public var resources: [(name: String, type: String)] { zip(names, types).map { ($0, $1) } }
  public private(set) var names: [String]
  private var types: [String]
  /// Unique edges, grouped by resource in template order: `dependsOn` entries first, then references.
  public private(set) var edges: [ResourceEdge]
  /// Topological layers; inside a layer, resources keep template order.
  public private(set) var layers: [[String]]
  private var dependencyMap: [String: Set<String>]

  /// Builds the graph; references to unknown resources are ignored here (`TemplateValidator` reports them).
  /// - Throws: `TemplateError` with one `dependencyCycle` diagnostic per cycle, printing the cycle's path.
  public init(template: Template) throws(TemplateError) {
    names = template.resources.map(\.name)
    types = template.resources.map(\.type)
    let known = Set(names)
    var edges: [ResourceEdge] = []
    var seen = Set<ResourceEdge>()
    for resource in template.resources {
      let dependsOnEdges = resource.dependsOn.map { ResourceEdge(from: resource.name, to: $0, kind: .dependsOn) }
      let referenceEdges = resource.referencedResources.map {
        ResourceEdge(from: resource.name, to: $0, kind: .reference)
      }
      for edge in dependsOnEdges + referenceEdges where known.contains(edge.to) && seen.insert(edge).inserted {
        edges.append(edge)
      }
    }
    self.edges = edges
    var dependencyMap = Dictionary(uniqueKeysWithValues: names.map { ($0, Set<String>()) })
    for edge in edges { dependencyMap[edge.from, default: []].insert(edge.to) }
    self.dependencyMap = dependencyMap
    self.layers = []
    let (layers, unplaced) = Self.layering(names: names, dependencies: dependencyMap)
    guard unplaced.isEmpty else {
      throw TemplateError(
        diagnostics: Self.cycleDiagnostics(among: unplaced, dependencies: dependencyMap, template: template))
    }
    self.layers = layers
  }

  /// Resources `resource` directly depends on (must exist before it).
  public func dependencies(of resource: String) -> Set<String> {
    dependencyMap[resource] ?? []
  }

  /// Resources that directly depend on `resource`.
  public func dependents(of resource: String) -> Set<String> {
    Set(edges.filter { $0.to == resource }.map(\.from))
  }

  public static func == (lhs: ResourceGraph, rhs: ResourceGraph) -> Bool {
    lhs.names == rhs.names && lhs.types == rhs.types && lhs.edges == rhs.edges && lhs.layers == rhs.layers
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(names)
    hasher.combine(edges)
  }

  /// Kahn's algorithm by levels; returns the layers and the names left over (those on or behind a cycle).
  private static func layering(names: [String], dependencies: [String: Set<String>]) -> ([[String]], [String]) {
    var level: [String: Int] = [:]
    var remaining = names
    var layers: [[String]] = []
    while !remaining.isEmpty {
      let ready = remaining.filter { name in dependencies[name, default: []].allSatisfy { level[$0] != nil } }
      guard !ready.isEmpty else { break }
      for name in ready { level[name] = layers.count }
      layers.append(ready)
      let placed = Set(ready)
      remaining.removeAll { placed.contains($0) }
    }
    return (layers, remaining)
  }

  /// One diagnostic per distinct cycle among `unplaced`, each printing `A -> B -> A`.
  private static func cycleDiagnostics(
    among unplaced: [String], dependencies: [String: Set<String>], template: Template
  ) -> [TemplateDiagnostic] {
    let order = Dictionary(uniqueKeysWithValues: template.resources.enumerated().map { ($1.name, $0) })
    let unplacedSet = Set(unplaced)
    var reported = Set<String>()
    var diagnostics: [TemplateDiagnostic] = []
    for start in unplaced where !reported.contains(start) {
      guard let cycle = findCycle(from: start, within: unplacedSet, dependencies: dependencies, order: order) else {
        continue
      }
      guard reported.isDisjoint(with: cycle) else { continue }
      reported.formUnion(cycle)
      let path = (cycle + [cycle[0]]).joined(separator: " -> ")
      let first = template.resource(named: cycle[0])
      diagnostics.append(
        TemplateDiagnostic(
          severity: .error, code: .dependencyCycle,
          message: "dependency cycle: \(path) (each must be created before the next)", file: template.fileName,
          location: first?.location ?? .startOfFile, path: JSONPointer.appending(cycle[0], to: "/resources"),
          hint: "remove one dependsOn entry or resource reference, or use self.<property> inside a resource"))
    }
    return diagnostics
  }

  /// A cycle reachable from `start`, found by an iterative depth-first walk (no recursion on hostile input).
  private static func findCycle(
    from start: String, within allowed: Set<String>, dependencies: [String: Set<String>], order: [String: Int]
  ) -> [String]? {
    var stack: [(name: String, next: [String])] = []
    var onStack: [String: Int] = [:]
    var finished = Set<String>()
    func successors(_ name: String) -> [String] {
      dependencies[name, default: []].filter { allowed.contains($0) }.sorted {
        order[$0, default: 0] < order[$1, default: 0]
      }
    }
    stack.append((start, successors(start)))
    onStack[start] = 0
    while !stack.isEmpty {
      guard let next = stack[stack.count - 1].next.first else {
        let done = stack.removeLast()
        onStack[done.name] = nil
        finished.insert(done.name)
        continue
      }
      stack[stack.count - 1].next.removeFirst()
      if let index = onStack[next] {
        return stack[index...].map(\.name)
      }
      guard !finished.contains(next) else { continue }
      onStack[next] = stack.count
      stack.append((next, successors(next)))
    }
    return nil
  }
}
