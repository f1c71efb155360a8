import CloudTemplate
import Secrets
import VRAModels

/// One deployment of a plan: what to deploy, under which name, with which inputs, after which stages.
public struct PlanStage: Sendable, Hashable {
  public var name: String
  public var source: StageSource
  /// The deployment name; may hold `${...}` references (default `<plan>-<stage>-${run.id}`).
  public var deploymentName: String
  /// Input values; strings may hold `${...}` references, resolved when the stage starts.
  public var inputs: [String: JSONValue]
  /// Inputs whose values are secrets (`secrets: {dbPassword: "vault:secret/app#db"}`): resolved when the
  /// run starts, held in memory only, merged into `inputs` when the stage is submitted. Apart from
  /// `inputs` so that a literal input that happens to start with `env:` is never read as a reference.
  public var secrets: [String: SecretReference]
  /// Stages listed under `dependsOn` (reference edges are added by `StageGraph`).
  public var dependsOn: [String]
  /// Project override; nil uses the plan default.
  public var project: String?
  public var timeout: Duration?
  /// How long the stage's request may wait for an approval in vRA; nil: the plan default, else no limit.
  public var approvalTimeout: Duration?
  public var retries: Int?
  /// Org and region constraint tags set on this stage (merged over the defaults by `Plan.placement(for:)`).
  public var placement: StagePlacement
  /// Where the stage's name is written in the plan file.
  public var location: SourceLocation
  /// Where each input's name is written, for diagnostics about that input.
  public var inputLocations: [String: SourceLocation]
  /// Where each `dependsOn` entry is written, parallel to `dependsOn`.
  public var dependsOnLocations: [SourceLocation]
  /// Where each value is written, by JSON pointer relative to the stage (`/deploymentName`,
  /// `/inputs/network`, `/inputs/tags/0`, `/secrets/dbPassword`); a string's entry is where its text starts, after any quote.
  public var valueLocations: [String: SourceLocation]

  public init(
    name: String, source: StageSource, deploymentName: String, inputs: [String: JSONValue] = [:],
    secrets: [String: SecretReference] = [:], dependsOn: [String] = [], project: String? = nil,
    timeout: Duration? = nil, approvalTimeout: Duration? = nil, retries: Int? = nil,
    placement: StagePlacement = StagePlacement(), location: SourceLocation = .startOfFile,
    inputLocations: [String: SourceLocation] = [:], dependsOnLocations: [SourceLocation] = [],
    valueLocations: [String: SourceLocation] = [:]
  ) {
    self.name = name
    self.source = source
    self.deploymentName = deploymentName
    self.inputs = inputs
    self.secrets = secrets
    self.dependsOn = dependsOn
    self.project = project
    self.timeout = timeout
    self.approvalTimeout = approvalTimeout
    self.retries = retries
    self.placement = placement
    self.location = location
    self.inputLocations = inputLocations
    self.dependsOnLocations = dependsOnLocations
    self.valueLocations = valueLocations
  }

  /// Where the value at `pointer` (relative to the stage) is written, else the nearest enclosing value, else the
  /// stage's name.
  public func location(of pointer: String) -> SourceLocation {
    var current = Substring(pointer)
    while !current.isEmpty {
      if let location = valueLocations[String(current)] { return location }
      guard let slash = current.lastIndex(of: "/") else { break }
      current = current[..<slash]
    }
    return location
  }

  /// The deployment name used when the plan sets none.
  public static func defaultDeploymentName(plan: String, stage: String) -> String {
    "\(plan)-\(stage)-${run.id}"
  }
}
