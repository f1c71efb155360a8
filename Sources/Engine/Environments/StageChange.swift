import RunState
import VRAModels

/// What `plan` shows, and `apply --env` does, for one stage of an environment. Its JSON form is
/// `plan --output json`'s `stages[]` (docs/environments.md).
public struct StageChange: Sendable, Hashable, Codable {
  public enum Action: String, Sendable, Hashable, Codable {
    case create, update, replace, delete
    case noOp = "no-op"
    /// An action stage: its day-2 action runs on every apply (it keeps no applied state).
    case action
    /// A check stage: it probes on every apply and changes nothing, so it is never a pending change.
    case check
  }

  public var stage: String
  public var action: Action
  public var deploymentName: String
  /// The deployment the stage has now (nil for a create).
  public var deploymentId: String?
  /// Why the action: what differs, in words (never a secret value).
  public var reasons: [String]
  public var inputChanges: [InputChange]
  /// The template's digest before and after, when it changed.
  public var templateChange: ValueChange?
  /// The blueprint or catalog item version before and after, when it changed.
  public var versionChange: ValueChange?
  /// What differs between vRA and the last apply (changes made outside), shown apart from the plan's own.
  public var drift: [DriftFinding]
  /// vRA's own what-if for an update, per resource (`plan` only).
  public var resources: [ResourceChange]?
  /// Why vRA's what-if could not be shown, when it could not.
  public var resourcesUnavailable: String?
  /// For a delete: whether this apply deletes it (`--prune`), or only says it would.
  public var pruned: Bool?

  public init(
    stage: String, action: Action, deploymentName: String, deploymentId: String? = nil, reasons: [String] = [],
    inputChanges: [InputChange] = [], templateChange: ValueChange? = nil, versionChange: ValueChange? = nil,
    drift: [DriftFinding] = []
  ) {
    self.stage = stage
    self.action = action
    self.deploymentName = deploymentName
    self.deploymentId = deploymentId
    self.reasons = reasons
    self.inputChanges = inputChanges
    self.templateChange = templateChange
    self.versionChange = versionChange
    self.drift = drift
  }

  /// Whether an apply would change something here (a delete only with `--prune`).
  public var isChange: Bool {
    if action == .delete { return pruned == true }
    if action == .check { return false }
    return action != .noOp || !drift.isEmpty
  }
}

/// One input that differs. A secret's values are never shown: `secret` is true and `before`/`after`
/// are absent.
public struct InputChange: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable { case added, removed, changed }

  public var name: String
  public var kind: Kind
  public var before: JSONValue?
  public var after: JSONValue?
  public var secret: Bool
  /// The new value reads an output of a stage this apply creates: known only then.
  public var knownAfterApply: Bool

  public init(name: String, before: JSONValue?, after: JSONValue?, secret: Bool, knownAfterApply: Bool = false) {
    self.name = name
    self.kind = before == nil ? .added : (after == nil && !knownAfterApply) ? .removed : .changed
    self.before = secret ? nil : before
    self.after = secret ? nil : after
    self.secret = secret
    self.knownAfterApply = knownAfterApply
  }
}

public struct ValueChange: Sendable, Hashable, Codable {
  public var before: String?
  public var after: String?
}

/// One resource in vRA's what-if (`GET /blueprint/api/blueprint-requests/{id}/resources-plan`).
public struct ResourceChange: Sendable, Hashable, Codable {
  public var name: String
  public var type: String?
  /// vRA's `resourceReason`: CREATE, RECREATE, UPDATE, DELETE, ACTION, READ.
  public var reason: String
  /// The properties that differ, old and new (as vRA shows them).
  public var changedProperties: [String: ValueDifference]

  public struct ValueDifference: Sendable, Hashable, Codable {
    public var before: JSONValue?
    public var after: JSONValue?
  }
}

/// A difference between vRA and what the environment last applied, made outside vra-engine.
public struct DriftFinding: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable {
    /// The deployment is gone from vRA.
    case deploymentDeleted = "deployment-deleted"
    /// The last successful request on the deployment asked for other inputs.
    case inputsChanged = "inputs-changed"
    /// Resources the apply left are gone.
    case resourcesMissing = "resources-missing"
    /// The deployment's last update failed (ours or one made outside): vRA keeps that update's
    /// inputs on it, which are not the ones applied.
    case updateFailed = "update-failed"
  }
  public var kind: Kind
  public var detail: String
  /// For `inputs-changed`: each input, as applied and as vRA has it (secrets never shown).
  public var inputs: [InputChange]?

  public init(kind: Kind, detail: String, inputs: [InputChange]? = nil) {
    self.kind = kind
    self.detail = detail
    self.inputs = inputs
  }
}
