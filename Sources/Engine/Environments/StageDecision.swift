import RunState
import VRAModels

/// Decides what an environment run does to one stage from what the plan wants, what was applied
/// last, and what vRA has now (drift). The one place `plan` and `apply --env` decide, so what the
/// plan showed is what the apply does.
enum StageDecision {
  /// - Parameters:
  ///   - applied: the stage as last applied; nil for a stage never applied.
  ///   - projectId: the desired project's id (compared with the applied one's).
  static func change(
    desired: DesiredStage, projectId: String?, applied: AppliedStage?, drift: [DriftFinding]
  ) -> StageChange {
    guard let applied else {
      return StageChange(
        stage: desired.stage, action: .create, deploymentName: desired.deploymentName,
        reasons: ["new stage"],
        inputChanges: desired.comparableInputs.keys.sorted().map {
          InputChange(
            name: $0, before: nil, after: desired.comparableInputs[$0], secret: desired.secretInputs.contains($0))
        })
    }
    var change = StageChange(
      stage: desired.stage, action: .noOp, deploymentName: desired.deploymentName,
      deploymentId: applied.deploymentId, drift: drift)
    if drift.contains(where: { $0.kind == .deploymentDeleted }) {
      change.action = .create
      change.deploymentId = nil
      change.reasons = ["the deployment was deleted outside vra-engine: to be created again"]
      return change
    }

    // What cannot change in place.
    var replaceReasons: [String] = []
    if desired.deploymentName != applied.deploymentName {
      replaceReasons.append("deployment name \(applied.deploymentName) → \(desired.deploymentName)")
    }
    if let projectId, projectId != applied.projectId {
      replaceReasons.append("project changed (\(desired.projectName))")
    }
    if desired.source.kind != applied.source.kind
      || (desired.source.kind != .template && desired.source.name != applied.source.name)
    {
      replaceReasons.append(
        "source \(applied.source.kind.rawValue) \(applied.source.name) → \(desired.source.kind.rawValue) \(desired.source.name)"
      )
    }
    if desired.source.kind == .catalogItem, desired.source.version != applied.source.version {
      // A catalog item deployment updates with its own version only (Deployment.Update).
      replaceReasons.append(
        "catalog item version \(applied.source.version ?? "latest") → \(desired.source.version ?? "latest")")
    }

    change.inputChanges = inputChanges(desired: desired, applied: applied)
    // An unpinned blueprint applied before its content was kept has no digest to compare.
    let comparable = desired.source.kind == .template || applied.source.templateDigest != nil
    if comparable, desired.source.templateDigest != applied.source.templateDigest {
      change.templateChange = ValueChange(before: applied.source.templateDigest, after: desired.source.templateDigest)
    }
    if desired.source.kind == .blueprint, desired.source.version != applied.source.version {
      change.versionChange = ValueChange(before: applied.source.version, after: desired.source.version)
    }

    if !replaceReasons.isEmpty {
      change.action = .replace
      change.reasons = replaceReasons
      return change
    }
    var reasons: [String] = []
    if change.templateChange != nil {
      reasons.append(
        desired.source.kind == .blueprint
          ? "blueprint \(desired.source.name) changed in vRA (no version pinned: its current content deploys)"
          : "template \(desired.source.name) changed")
    }
    if let version = change.versionChange {
      reasons.append("blueprint version \(version.before ?? "latest") → \(version.after ?? "latest")")
    }
    if !change.inputChanges.isEmpty {
      reasons.append("inputs changed: " + change.inputChanges.map(\.name).joined(separator: ", "))
    }
    // Drift is repaired by sending the desired state again.
    for finding in drift { reasons.append("repairs drift: \(finding.detail)") }
    if !reasons.isEmpty {
      change.action = .update
      change.reasons = reasons
    }
    return change
  }

  private static func inputChanges(desired: DesiredStage, applied: AppliedStage) -> [InputChange] {
    let appliedSecrets = Set(applied.secretInputs)
    var changes: [InputChange] = []
    for name in Set(desired.comparableInputs.keys).union(applied.inputs.keys).union(desired.unknownInputs).sorted() {
      let secret = desired.secretInputs.contains(name) || appliedSecrets.contains(name)
      if desired.unknownInputs.contains(name) {
        changes.append(
          InputChange(name: name, before: applied.inputs[name], after: nil, secret: secret, knownAfterApply: true))
        continue
      }
      let before = applied.inputs[name]
      let after = desired.comparableInputs[name]
      guard before != after else { continue }
      changes.append(InputChange(name: name, before: before, after: after, secret: secret))
    }
    return changes
  }
}
