import CloudTemplate
import Foundation
import RunState
import VRAModels

/// What a plan wants one stage of an environment to be: where it deploys, from what, with which
/// inputs. Compared with the stage's `AppliedStage` to decide what an apply does.
struct DesiredStage: Sendable {
  var stage: String
  var deploymentName: String
  var projectName: String
  var source: AppliedSource
  /// Inputs as they will be compared and kept: a secret's value is its digest.
  var comparableInputs: [String: JSONValue]
  /// Inputs as they will be sent (secret values included). Held in memory only.
  var sentInputs: [String: JSONValue]
  var secretInputs: Set<String>
  /// Inputs that read outputs of a stage not applied yet: known only once it is.
  var unknownInputs: Set<String>

  /// - Parameter unknownStages: stages whose outputs are not known yet (`plan` before they are created);
  ///   an input that reads one is left out and listed in `unknownInputs`.
  static func make(
    _ stage: PlanStage, plan: Plan, environment: String, context: ResolutionContext, secrets: PlanSecrets,
    unknownStages: Set<String> = []
  ) throws -> DesiredStage {
    let deploymentName = try PlanResolver.resolveDeploymentName(of: stage, in: context)
    guard let projectName = plan.project(for: stage) else {
      throw StageFailure(message: "stage '\(stage.name)' names no project", hint: "set defaults.project or project")
    }
    var sent: [String: JSONValue] = [:]
    var unknown: Set<String> = []
    for name in stage.inputs.keys.sorted() {
      let value = stage.inputs[name]!
      if !PlanReferenceScanner.stages(referencedBy: value).isDisjoint(with: unknownStages) {
        unknown.insert(name)
        continue
      }
      sent[name] = try PlanResolver.resolve(value, in: context, stage: stage.name, field: "inputs.\(name)")
    }
    sent.merge(secrets.inputs(for: stage)) { _, secret in secret }
    var secretNames = Set(stage.secrets.keys)
    secretNames.formUnion(stage.source.template?.inputs.filter(\.isEncrypted).map(\.name) ?? [])
    var comparable = sent
    for name in secretNames {
      guard let value = sent[name] else { continue }
      comparable[name] = SecretDigest.of(value, environment: environment, stage: stage.name, input: name)
    }
    return DesiredStage(
      stage: stage.name, deploymentName: deploymentName, projectName: projectName,
      source: try source(of: stage.source), comparableInputs: comparable, sentInputs: sent,
      secretInputs: secretNames.intersection(sent.keys), unknownInputs: unknown)
  }

  static func source(of source: StageSource) throws -> AppliedSource {
    switch source {
    case .template(let path, _):
      let text: String
      do {
        text = try String(contentsOf: path, encoding: .utf8)
      } catch {
        throw StageFailure(message: "cannot read \(path.path): \(error.localizedDescription)")
      }
      return AppliedSource(
        kind: .template, name: path.lastPathComponent, templateDigest: SecretDigest.template(text),
        templateContent: text)
    case .blueprint(let name, let version):
      return AppliedSource(kind: .blueprint, name: name, version: version)
    case .catalogItem(let name, let version):
      return AppliedSource(kind: .catalogItem, name: name, version: version)
    case .action(let action):
      // An action stage deploys nothing: it runs on every apply and is never an environment's stage.
      throw StageFailure(message: "stage runs the action \(action.summary): an environment applies no state for it")
    case .check(let check):
      throw StageFailure(message: "stage runs the check \(check.summary): an environment applies no state for it")
    }
  }
}
