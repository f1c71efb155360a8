import Foundation
import VRAModels

/// What was last applied to one stage of an environment: the deployment it lives in and the
/// desired state it was brought to. `plan` compares a plan with this, and with vRA, to decide
/// create, update, no-op, replace or delete.
///
/// Never holds a secret: inputs whose values are secrets are kept as digests only (`secretInputs`
/// names them), enough to tell "changed" from "unchanged" and nothing more.
public struct AppliedStage: Sendable, Hashable, Codable {
  public var stage: String
  public var deploymentId: String
  public var deploymentName: String
  public var projectId: String
  public var source: AppliedSource
  /// Input values as sent; a secret input's value is its digest (`AppliedStage.secretDigest`).
  public var inputs: [String: JSONValue]
  /// The names among `inputs` whose values are digests.
  public var secretInputs: [String]
  /// The deployment's outputs after the apply (redacted), what later stages of a plan read.
  public var outputs: [String: JSONValue]
  /// The resources the deployment had after the apply, by name (their type), to notice any that
  /// disappeared outside.
  public var resources: [String: String]
  /// The deployment request that brought the deployment to this state (create or update).
  public var requestId: String?
  public var runId: RunID
  public var appliedAt: Date

  public init(
    stage: String, deploymentId: String, deploymentName: String, projectId: String, source: AppliedSource,
    inputs: [String: JSONValue], secretInputs: [String], outputs: [String: JSONValue], resources: [String: String],
    requestId: String?, runId: RunID, appliedAt: Date
  ) {
    self.stage = stage
    self.deploymentId = deploymentId
    self.deploymentName = deploymentName
    self.projectId = projectId
    self.source = source
    self.inputs = inputs
    self.secretInputs = secretInputs
    self.outputs = outputs
    self.resources = resources
    self.requestId = requestId
    self.runId = runId
    self.appliedAt = appliedAt
  }
}

/// What an applied stage was deployed from.
public struct AppliedSource: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Codable { case template, blueprint, catalogItem }
  public var kind: Kind
  /// The template's file name, or the blueprint's or catalog item's name.
  public var name: String
  /// The blueprint's or catalog item's version asked for (nil: the latest at the time).
  public var version: String?
  /// SHA-256 of the template's text (template stages).
  public var templateDigest: String?
  /// The template's text, so an update can be rolled back to it (template stages).
  public var templateContent: String?

  public init(
    kind: Kind, name: String, version: String? = nil, templateDigest: String? = nil, templateContent: String? = nil
  ) {
    self.kind = kind
    self.name = name
    self.version = version
    self.templateDigest = templateDigest
    self.templateContent = templateContent
  }
}
