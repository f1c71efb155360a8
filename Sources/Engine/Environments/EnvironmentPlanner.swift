import Foundation
import Logging
import RunState
import VRAClient
import VRAModels

/// What `vra-engine plan --env NAME` shows: per stage create, update, no-op, replace or delete,
/// with the input and template differences, drift made outside, and for updates vRA's own what-if
/// per resource. Sends nothing that changes vRA (what-if requests are `plan: true`).
public struct EnvironmentPlanner: Sendable {
  let plan: Plan
  let environment: String
  let client: VRAClient
  let store: any StateStore
  let secrets: PlanSecrets
  let variables: [String: String]
  /// Ask vRA for its what-if of each update (one `plan: true` request per updated stage).
  var whatIf = true
  /// How long a what-if may take before the plan shows it as unavailable.
  var whatIfDeadline: Duration = .seconds(120)

  public init(
    plan: Plan, environment: String, client: VRAClient, store: any StateStore, secrets: PlanSecrets,
    variables: [String: String], whatIf: Bool = true
  ) {
    self.plan = plan
    self.environment = environment
    self.client = client
    self.store = store
    self.secrets = secrets
    self.variables = variables
    self.whatIf = whatIf
  }

  public func changes(prune: Bool) async throws -> EnvironmentPlan {
    let states = Dictionary(
      try await store.environmentStages(environment).map { ($0.applied.stage, $0.applied) }, uniquingKeysWith: { $1 })
    let catalog = VRACatalog(client: client)
    let order = try StageGraph(plan: plan).topologicalOrder
    var known: [String: StageOutputs] = [:]
    var unknown: Set<String> = []
    var changes: [String: StageChange] = [:]
    for name in order {
      guard let stage = plan.stage(named: name) else { continue }
      if let action = stage.source.action {
        changes[name] = StageChange(
          stage: name, action: .action, deploymentName: "", reasons: ["runs \(action.summary) on every apply"])
        continue
      }
      if let check = stage.source.check {
        changes[name] = StageChange(
          stage: name, action: .check, deploymentName: "", reasons: ["checks \(check.summary) on every apply"])
        continue
      }
      let applied = states[name]
      let context = ResolutionContext(runId: RunID(rawValue: "plan"), environment: variables, stageResults: known)
      var desired: DesiredStage
      do {
        desired = try DesiredStage.make(
          stage, plan: plan, environment: environment, context: context, secrets: secrets, unknownStages: unknown)
      } catch is PlanResolutionError {
        desired = try DesiredStage.make(
          stage, plan: plan, environment: environment, context: context, secrets: secrets,
          unknownStages: Set(plan.stageNames))
      }
      try await desired.pinBlueprintContent(catalog: catalog, client: client)
      let projectId = try await catalog.projectId(desired.projectName)
      var (drift, deployment): ([DriftFinding], Deployment?) = ([], nil)
      if let applied { (drift, deployment) = try await DriftCheck(client: client).check(applied) }
      var change = StageDecision.change(desired: desired, projectId: projectId, applied: applied, drift: drift)
      if change.action == .update, whatIf, let applied, desired.source.kind != .catalogItem {
        do {
          change.resources = try await resourcesPlan(desired, applied: applied, projectId: projectId)
        } catch {
          change.resourcesUnavailable = "\(error)"
        }
      } else if change.action == .update, desired.source.kind == .catalogItem {
        change.resourcesUnavailable = "vRA has no what-if for a catalog item's Deployment.Update action"
      }
      changes[name] = change
      if let applied, change.action != .create, change.action != .replace {
        // What later stages read of it (`${stages.S.resources.R.P}` included), as vRA has it now.
        var resources: [String: [String: JSONValue]] = [:]
        for resource in deployment?.resources ?? [] { resources[resource.name] = resource.properties ?? [:] }
        known[name] = StageOutputs(
          deploymentId: applied.deploymentId, deploymentName: applied.deploymentName, outputs: applied.outputs,
          resources: resources)
      } else {
        unknown.insert(name)
      }
    }
    var stages = plan.stageNames.compactMap { changes[$0] }
    for (name, applied) in states.sorted(by: { $0.key < $1.key }) where plan.stage(named: name) == nil {
      var change = StageChange(
        stage: name, action: .delete, deploymentName: applied.deploymentName, deploymentId: applied.deploymentId,
        reasons: [prune ? "no longer in the plan" : "no longer in the plan; kept unless applied with --prune"])
      change.pruned = prune
      stages.append(change)
    }
    return EnvironmentPlan(environment: environment, plan: plan.name, stages: stages)
  }

  /// vRA's what-if: a `plan: true` blueprint request on the deployment, then its resources plan.
  private func resourcesPlan(
    _ desired: DesiredStage, applied: AppliedStage, projectId: String
  ) async throws -> [ResourceChange] {
    var request = BlueprintRequest(
      deploymentName: nil, projectId: projectId,
      inputs: desired.sentInputs.merging(
        applied.inputs.filter { desired.unknownInputs.contains($0.key) }, uniquingKeysWith: { sent, _ in sent }),
      reason: "vra-engine plan --env \(environment)", plan: true, deploymentId: applied.deploymentId)
    if desired.source.kind == .template {
      request.content = desired.source.templateContent
    } else if let blueprint = try await VRACatalog(client: client).blueprint(desired.source.name, projectId: projectId)
    {
      request.blueprintId = blueprint.id
      request.blueprintVersion = desired.source.version
    }
    let answer = try await client.createUpdateRequest(request, after: nil)
    guard let id = answer.id else { throw StageFailure(message: "vRA answered the what-if without a request id") }
    let deadline = ContinuousClock.now + whatIfDeadline
    var status = answer.status
    while status?.isTerminal != true {
      guard ContinuousClock.now < deadline else {
        throw StageFailure(message: "vRA's what-if did not finish within \(whatIfDeadline)")
      }
      try await Task.sleep(for: .milliseconds(300))
      status = try await client.blueprintRequest(id: id).status
    }
    guard status == .finished else {
      let failed = try? await client.blueprintRequest(id: id)
      throw StageFailure(message: "vRA's what-if ended \(status?.rawValue ?? "?"): \(failed?.failureMessage ?? "")")
    }
    let resources = try await client.blueprintRequestResourcesPlan(id: id).resources ?? []
    return resources.map { resource in
      let old = resource.oldProperties ?? [:]
      let new = resource.newProperties ?? [:]
      var differences: [String: ResourceChange.ValueDifference] = [:]
      for key in Set(old.keys).union(new.keys) where old[key] != new[key] {
        differences[key] = .init(before: old[key], after: new[key])
      }
      return ResourceChange(
        name: resource.resourceName ?? "?", type: resource.resourceType,
        reason: resource.resourceReason?.rawValue ?? "?", changedProperties: differences)
    }
  }
}

/// The plan of an environment: `vra-engine plan --output json` prints it.
public struct EnvironmentPlan: Sendable, Hashable, Codable {
  public var environment: String
  public var plan: String
  /// In plan order, then the stages to delete.
  public var stages: [StageChange]

  /// Whether an apply would change anything (drift repairs and deletes included).
  public var hasChanges: Bool { stages.contains(where: \.isChange) }
}
