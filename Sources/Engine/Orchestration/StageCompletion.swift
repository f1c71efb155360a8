import RunState
import VRAClient
import VRAModels

/// Records a stage whose deployment finished successfully: reads its outputs and resources from
/// vRA and stores them. Shared by the stage runner and by a cancel that found the request done.
enum StageCompletion {
  /// - Parameter beforeRecording: runs with what was read, before the stage is recorded succeeded (an
  ///   environment stage records what it applied there, so a crash between the two leaves the stage
  ///   to be followed again, never succeeded and unrecorded).
  ///   - goneIsDone: for an action stage: a deployment vRA no longer has ends the stage with no
  ///     outputs (its action deleted it) instead of failing it, and the outputs are the deployment's
  ///     (its newest request that has any), not those of the action's own request, which has none.
  static func record(
    run runId: RunID, stage: String, deploymentId: String, deploymentName: String, client: VRAClient,
    store: any StateStore, beforeRecording: (@Sendable (Deployment, StageOutputs) async throws -> Void)? = nil,
    goneIsDone: Bool = false
  ) async throws -> StageOutputs {
    let deployment: Deployment
    do {
      deployment = try await client.deployment(id: deploymentId, expand: [.resources, .lastRequest])
    } catch let error as VRAError where goneIsDone && error.errorClass == .notFound {
      try await store.recordStageResult(run: runId, stage: stage, outputs: .object([:]), resources: .object([:]))
      return StageOutputs(deploymentId: deploymentId, deploymentName: deploymentName)
    }
    var resources: [String: [String: JSONValue]] = [:]
    for resource in deployment.resources ?? [] { resources[resource.name] = resource.properties ?? [:] }
    var outputs = deployment.lastRequest?.outputs ?? [:]
    if goneIsDone, outputs.isEmpty {
      for try await request in client.deploymentRequests(deploymentId: deploymentId, pageSize: 20) {
        if let found = request.outputs, !found.isEmpty {
          outputs = found
          break
        }
      }
    }
    let result = StageOutputs(
      deploymentId: deploymentId, deploymentName: deploymentName, outputs: outputs, resources: resources)
    try await beforeRecording?(deployment, result)
    try await store.recordStageResult(
      run: runId, stage: stage, outputs: .object(outputs), resources: .object(resources.mapValues { .object($0) }))
    return result
  }
}
