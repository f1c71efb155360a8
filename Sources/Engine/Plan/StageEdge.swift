import CloudTemplate

/// Why one stage waits on another.
public struct StageEdge: Sendable, Hashable {
  public enum Reason: Sendable, Hashable {
    /// Listed under `dependsOn`.
    case dependsOn
    /// A `${stages.S...}` reference, as written.
    case reference(String)
    /// An action stage's `action: {stage: S}`: it acts on S's deployment.
    case actionTarget
  }

  /// The stage that waits.
  public var dependent: String
  /// The stage waited on.
  public var dependency: String
  public var reason: Reason
  /// Where the `dependsOn` entry or the reference is written in the plan file.
  public var location: SourceLocation
  /// JSON pointer of the field holding it, e.g. `/stages/app/inputs/dbHost`.
  public var path: String

  public init(dependent: String, dependency: String, reason: Reason, location: SourceLocation, path: String) {
    self.dependent = dependent
    self.dependency = dependency
    self.reason = reason
    self.location = location
    self.path = path
  }

  /// Every edge a plan declares, in file order, including edges to stages the plan does not have.
  public static func edges(of plan: Plan) -> [StageEdge] {
    var edges: [StageEdge] = []
    for stage in plan.stages {
      let stagePath = JSONPointer.appending(stage.name, to: "/stages")
      for (index, target) in stage.dependsOn.enumerated() {
        let location = index < stage.dependsOnLocations.count ? stage.dependsOnLocations[index] : stage.location
        edges.append(
          StageEdge(
            dependent: stage.name, dependency: target, reason: .dependsOn, location: location,
            path: JSONPointer.appending(index, to: JSONPointer.appending("dependsOn", to: stagePath))))
      }
      for (pointer, occurrence) in PlanStage.referenceOccurrences(in: stage) {
        guard let target = occurrence.reference?.stage else { continue }
        edges.append(
          StageEdge(
            dependent: stage.name, dependency: target, reason: .reference(occurrence.expression),
            location: occurrence.location, path: stagePath + pointer))
      }
      // An action on the stage itself is the validator's to report, not a cycle.
      if case .stage(let target)? = stage.source.action?.target, target != stage.name {
        edges.append(
          StageEdge(
            dependent: stage.name, dependency: target, reason: .actionTarget,
            location: stage.location(of: "/action/stage"), path: stagePath + "/action/stage"))
      }
    }
    return edges
  }
}

extension PlanStage {
  /// Every `${...}` in the stage's deployment name, inputs, action target and check settings, with the
  /// stage-relative pointer of its string.
  static func referenceOccurrences(
    in stage: PlanStage
  ) -> [(pointer: String, occurrence: PlanReferenceScanner.Occurrence)] {
    let locate = { (pointer: String) in stage.location(of: pointer) }
    var found = PlanReferenceScanner.scan(.string(stage.deploymentName), pointer: "/deploymentName", locate: locate)
    found += PlanReferenceScanner.scan(.object(stage.inputs), pointer: "/inputs", locate: locate)
    if case .deployment(let name)? = stage.source.action?.target {
      found += PlanReferenceScanner.scan(.string(name), pointer: "/action/deployment", locate: locate)
    }
    if let check = stage.source.check {
      found += PlanReferenceScanner.scan(
        .object(check.settings), pointer: "/check/\(check.kind.rawValue)", locate: locate)
    }
    return found
  }
}
