import RunState
import VRAClient
import VRAModels

/// Compares what an environment last applied to a stage with what vRA has now: the deployment
/// deleted outside, inputs changed by a request made outside (read from the last *successful*
/// request: after a failed update vRA already shows the new inputs on the deployment), resources
/// that disappeared. Reads only.
struct DriftCheck: Sendable {
  let client: VRAClient

  /// What differs, and the deployment as vRA has it now (with its resources and last request; nil
  /// when it is gone), read once for the caller too.
  func check(_ applied: AppliedStage) async throws -> (findings: [DriftFinding], deployment: Deployment?) {
    let deployment: Deployment
    do {
      deployment = try await client.deployment(id: applied.deploymentId, expand: [.resources, .lastRequest])
    } catch let error as VRAError where error.errorClass == .notFound {
      let detail = "deployment \(applied.deploymentName) (\(applied.deploymentId)) was deleted outside vra-engine"
      return ([DriftFinding(kind: .deploymentDeleted, detail: detail)], nil)
    }
    if deployment.status == .deleteSuccessful {
      let detail = "deployment \(applied.deploymentName) was deleted outside vra-engine"
      return ([DriftFinding(kind: .deploymentDeleted, detail: detail)], nil)
    }
    var findings: [DriftFinding] = []
    if deployment.status == .updateFailed {
      findings.append(
        DriftFinding(
          kind: .updateFailed,
          detail: "the last update of \(applied.deploymentName) failed; vRA keeps that update's inputs on it"))
    }
    if let changed = try await changedInputs(applied) { findings.append(changed) }
    let present = Set((deployment.resources ?? []).map(\.name))
    let missing = applied.resources.keys.filter { !present.contains($0) }.sorted()
    if !missing.isEmpty {
      findings.append(
        DriftFinding(
          kind: .resourcesMissing, detail: "resources gone from the deployment: \(missing.joined(separator: ", "))"))
    }
    return (findings, deployment)
  }

  /// The inputs of the newest successful request that differ from the applied ones (secret inputs are
  /// not compared: vRA does not show them).
  private func changedInputs(_ applied: AppliedStage) async throws -> DriftFinding? {
    var lastSuccessful: DeploymentRequest?
    for try await request in client.deploymentRequests(deploymentId: applied.deploymentId, pageSize: 20)
    where request.status == .successful && request.inputs != nil {
      lastSuccessful = request
      break
    }
    guard let lastSuccessful, let inputs = lastSuccessful.inputs, lastSuccessful.id != applied.requestId else {
      return nil
    }
    let secret = Set(applied.secretInputs)
    var changes: [InputChange] = []
    for (name, value) in applied.inputs.sorted(by: { $0.key < $1.key }) where !secret.contains(name) {
      guard let now = inputs[name], now != value else { continue }
      changes.append(InputChange(name: name, before: value, after: now, secret: false))
    }
    guard !changes.isEmpty else { return nil }
    return DriftFinding(
      kind: .inputsChanged,
      detail: "request \(lastSuccessful.id ?? "?") (\(lastSuccessful.name)) changed "
        + changes.map(\.name).joined(separator: ", ") + " outside vra-engine",
      inputs: changes)
  }
}
