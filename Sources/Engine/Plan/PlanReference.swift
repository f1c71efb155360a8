/// What a `${...}` reference in a plan string points at.
public enum PlanReference: Sendable, Hashable, CustomStringConvertible {
  /// `stages.S.outputs.X` (then any path into the value: `.field`, `[0]`).
  case output(stage: String, name: String, path: [String])
  /// `stages.S.resources.R.prop`, `stages.S.resources.R[0].prop`; an empty `property` means all properties.
  case resource(stage: String, name: String, index: Int?, property: [String])
  /// `stages.S.deployment.id` / `stages.S.deployment.name`.
  case deployment(stage: String, field: DeploymentField)
  /// `run.id`.
  case runID
  /// `env.X`.
  case environment(String)

  public enum DeploymentField: String, Sendable, Hashable, CaseIterable {
    case id
    case name
  }

  /// The stage the reference waits on, if any.
  public var stage: String? {
    switch self {
    case .output(let stage, _, _), .resource(let stage, _, _, _), .deployment(let stage, _): stage
    case .runID, .environment: nil
    }
  }

  /// The reference in its canonical written form, without `${}`.
  public var description: String {
    func path(_ segments: [String]) -> String {
      segments.map { Int($0) != nil ? "[\($0)]" : ".\($0)" }.joined()
    }
    switch self {
    case .output(let stage, let name, let rest): return "stages.\(stage).outputs.\(name)\(path(rest))"
    case .resource(let stage, let name, let index, let property):
      return "stages.\(stage).resources.\(name)\(index.map { "[\($0)]" } ?? "")\(path(property))"
    case .deployment(let stage, let field): return "stages.\(stage).deployment.\(field.rawValue)"
    case .runID: return "run.id"
    case .environment(let name): return "env.\(name)"
    }
  }
}
