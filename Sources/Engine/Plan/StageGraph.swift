import CloudTemplate

/// The order a plan's stages run in: a DAG whose edges come from `dependsOn` and `${stages.S...}` references.
///
/// Edges naming a stage the plan does not have are left out (`PlanValidator` reports them); a cycle makes
/// the graph impossible and `init` throws with the cycle's path (`a -> b -> a`).
public struct StageGraph: Sendable, Hashable {
  /// Stage names in file order.
  public let stages: [String]
  /// Groups of stages that can run together: every stage's dependencies are in earlier layers.
  /// Each layer keeps file order.
  public let layers: [[String]]
  private let dependencyMap: [String: [String]]
  private let dependentMap: [String: [String]]

  public init(plan: Plan) throws(PlanError) {
    let edges = StageEdge.edges(of: plan)
    if let diagnostics = Self.cycleDiagnostics(stages: plan.stageNames, edges: edges, file: plan.file),
      !diagnostics.isEmpty
    {
      throw PlanError(diagnostics: diagnostics)
    }
    self.init(validStages: plan.stageNames, edges: edges)
  }

  /// A graph over `stages`, from `(dependent, dependency)` pairs; throws on a cycle.
  public init(stages: [String], dependencies: [(dependent: String, dependency: String)]) throws(PlanError) {
    let edges = dependencies.map {
      StageEdge(
        dependent: $0.dependent, dependency: $0.dependency, reason: .dependsOn, location: .startOfFile, path: "")
    }
    if let diagnostics = Self.cycleDiagnostics(stages: stages, edges: edges, file: ""), !diagnostics.isEmpty {
      throw PlanError(diagnostics: diagnostics)
    }
    self.init(validStages: stages, edges: edges)
  }

  private init(validStages stages: [String], edges: [StageEdge]) {
    self.stages = stages
    let order = Dictionary(stages.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    var dependencies: [String: Set<String>] = [:]
    var dependents: [String: Set<String>] = [:]
    for edge in edges where order[edge.dependent] != nil && order[edge.dependency] != nil {
      dependencies[edge.dependent, default: []].insert(edge.dependency)
      dependents[edge.dependency, default: []].insert(edge.dependent)
    }
    let byFileOrder = { (names: Set<String>) in names.sorted { order[$0]! < order[$1]! } }
    dependencyMap = dependencies.mapValues(byFileOrder)
    dependentMap = dependents.mapValues(byFileOrder)
    var level: [String: Int] = [:]
    var remaining = stages
    var layers: [[String]] = []
    while !remaining.isEmpty {
      let ready = remaining.filter { stage in (dependencies[stage] ?? []).allSatisfy { level[$0] != nil } }
      precondition(!ready.isEmpty, "cycles are rejected before layering")
      for stage in ready { level[stage] = layers.count }
      layers.append(ready)
      let readySet = Set(ready)
      remaining.removeAll { readySet.contains($0) }
    }
    self.layers = layers
  }

  /// The stages `stage` waits on directly, in file order.
  public func dependencies(of stage: String) -> [String] {
    dependencyMap[stage] ?? []
  }

  /// The stages that wait on `stage` directly, in file order.
  public func dependents(of stage: String) -> [String] {
    dependentMap[stage] ?? []
  }

  /// Every stage that waits on `stage`, directly or transitively, in topological order: what
  /// `onFailure: continue` skips when `stage` fails.
  public func downstream(of stage: String) -> [String] {
    var reached: Set<String> = []
    var pending = dependents(of: stage)
    while let next = pending.popLast() {
      if reached.insert(next).inserted { pending += dependents(of: next) }
    }
    return topologicalOrder.filter { reached.contains($0) }
  }

  /// Every stage `stage` waits on, directly or transitively, in topological order.
  public func upstream(of stage: String) -> [String] {
    var reached: Set<String> = []
    var pending = dependencies(of: stage)
    while let next = pending.popLast() {
      if reached.insert(next).inserted { pending += dependencies(of: next) }
    }
    return topologicalOrder.filter { reached.contains($0) }
  }

  /// Stages in an order where each comes after everything it waits on (layer by layer, file order within).
  public var topologicalOrder: [String] { layers.flatMap { $0 } }

  /// The order to destroy in (rollback, `destroy`): every stage before the stages it waits on.
  public var reverseTopologicalOrder: [String] { topologicalOrder.reversed() }

  // MARK: Cycles

  /// Each cycle once, as the path of stage names starting and ending at the same stage, following
  /// "waits on" edges; nil when there is none.
  static func cycles(stages: [String], edges: [StageEdge]) -> [[StageEdge]] {
    let known = Set(stages)
    var outgoing: [String: [StageEdge]] = [:]
    for edge in edges where known.contains(edge.dependent) && known.contains(edge.dependency) {
      // One edge per pair is enough to show a cycle; keep the first written.
      if !(outgoing[edge.dependent] ?? []).contains(where: { $0.dependency == edge.dependency }) {
        outgoing[edge.dependent, default: []].append(edge)
      }
    }
    enum Mark { case visiting, done }
    var marks: [String: Mark] = [:]
    var stack: [StageEdge] = []
    var cycles: [[StageEdge]] = []
    var seen: Set<Set<String>> = []

    func visit(_ stage: String) {
      marks[stage] = .visiting
      for edge in outgoing[stage] ?? [] {
        switch marks[edge.dependency] {
        case .visiting?:
          // The cycle is the part of the stack from where `edge.dependency` was entered, plus this edge.
          let start = stack.firstIndex { $0.dependent == edge.dependency } ?? stack.count
          let cycle = Array(stack[start...]) + [edge]
          if seen.insert(Set(cycle.map(\.dependent))).inserted { cycles.append(cycle) }
        case nil:
          stack.append(edge)
          visit(edge.dependency)
          stack.removeLast()
        case .done?:
          continue
        }
      }
      marks[stage] = .done
    }
    for stage in stages where marks[stage] == nil { visit(stage) }
    return cycles
  }

  /// One diagnostic per cycle, placed at the edge that closes it from the first stage.
  static func cycleDiagnostics(stages: [String], edges: [StageEdge], file: String) -> [PlanDiagnostic]? {
    cycles(stages: stages, edges: edges).map { cycle in
      let path = (cycle.map(\.dependent) + [cycle[0].dependent]).joined(separator: " -> ")
      let first = cycle[0]
      let how: String =
        switch first.reason {
        case .dependsOn: "its dependsOn"
        case .reference(let expression): "\(expression)"
        case .actionTarget: "its action's stage"
        }
      return PlanDiagnostic(
        code: .dependencyCycle,
        message: "dependency cycle: \(path) (stage '\(first.dependent)' waits on '\(first.dependency)' through \(how))",
        file: file, location: first.location, path: first.path,
        hint: "remove one dependsOn entry or reference on this path", stage: first.dependent)
    }
  }
}
