import Foundation
import SQLKit
import VRAModels

extension SQLStateStore {
  @discardableResult
  public func recordIntent(
    run: RunID, stage: String, deploymentName: String, projectId: String?, attempt: Int
  )
    async throws -> StageRecord
  {
    guard !deploymentName.isEmpty else {
      throw StateStoreError.invalidArgument("an intent needs the deployment name (stage \(stage) of run \(run))")
    }
    return try await transitionStage("recording the intent to submit", run: run, stage: stage, to: .submitting) {
      stage in
      guard attempt >= 1, attempt >= stage.attempt else {
        throw StateStoreError.invalidArgument(
          "attempt \(attempt) of stage \(stage.name) (run \(run)) is below the stored attempt \(stage.attempt)")
      }
      var details: [String: JSONValue] = [:]
      if let previous = stage.deploymentId { details["previousDeploymentId"] = .string(previous) }
      if let previous = stage.requestId { details["previousRequestId"] = .string(previous) }
      if let previous = stage.blueprintRequestId { details["previousBlueprintRequestId"] = .string(previous) }
      stage.deploymentName = deploymentName
      stage.projectId = projectId
      stage.attempt = attempt
      stage.deploymentId = nil
      stage.requestId = nil
      stage.blueprintRequestId = nil
      stage.outputs = nil
      stage.resources = nil
      stage.error = nil
      return details
    }
  }

  @discardableResult
  public func recordSubmitted(
    run: RunID, stage: String, blueprintRequestId: String?, requestId: String?, deploymentId: String?
  ) async throws -> StageRecord {
    let ids = [blueprintRequestId, requestId, deploymentId].compactMap { $0 }
    guard !ids.isEmpty, ids.allSatisfy({ !$0.isEmpty }) else {
      throw StateStoreError.invalidArgument(
        "recording stage \(stage) of run \(run) as submitted needs at least one non-empty id")
    }
    return try await transitionStage("recording the submitted request", run: run, stage: stage, to: .submitted) {
      stage in
      stage.blueprintRequestId = blueprintRequestId
      stage.requestId = requestId
      stage.deploymentId = deploymentId
      return [:]
    }
  }

  @discardableResult
  public func recordStageStatus(
    run: RunID, stage: String, to status: StageStatus, requestId: String?, deploymentId: String?
  ) async throws -> StageRecord {
    switch status {
    case .submitting, .submitted, .succeeded, .failed:
      throw StateStoreError.invalidArgument(
        "stage status \(status) is recorded with recordIntent, recordSubmitted, recordStageResult or recordStageFailure"
      )
    case .pending, .running, .cancelled, .skipped, .rollingBack, .rolledBack, .destroying, .destroyed:
      break
    }
    return try await transitionStage("recording stage status \(status)", run: run, stage: stage, to: status) {
      stage in
      if let requestId { stage.requestId = requestId }
      if let deploymentId { stage.deploymentId = deploymentId }
      if status == .pending { stage.error = nil }
      return [:]
    }
  }

  @discardableResult
  public func recordStageResult(
    run: RunID, stage: String, outputs: JSONValue, resources: JSONValue
  ) async throws
    -> StageRecord
  {
    try await transitionStage("recording the stage result", run: run, stage: stage, to: .succeeded) { stage in
      // A result follows a request; only an unchanged environment stage succeeds without one.
      guard stage.status != .pending else {
        throw StateStoreError.illegalStageTransition(run: run, stage: stage.name, from: .pending, to: .succeeded)
      }
      stage.outputs = outputs
      stage.resources = resources
      stage.error = nil
      return [:]
    }
  }

  @discardableResult
  public func recordStageFailure(run: RunID, stage: String, error: RecordedError) async throws -> StageRecord {
    try await transitionStage("recording the stage failure", run: run, stage: stage, to: .failed) { stage in
      stage.error = error
      return ["error": ["class": .string(error.errorClass.rawValue), "message": .string(error.message)]]
    }
  }

  @discardableResult
  public func recordStageOperation(
    run: RunID, stage name: String, operation: StageOperation, baselineRequestId: String?
  ) async throws -> StageRecord {
    try await write("recording the operation of stage \(name) of run \(run)", run: run) { db, now in
      guard var stage = try await StateQueries.fetchStage(db, run: run, name: name) else {
        guard try await StateQueries.fetchRun(db, run) != nil else { throw StateStoreError.unknownRun(run) }
        throw StateStoreError.unknownStage(run: run, stage: name)
      }
      stage.operation = operation
      stage.baselineRequestId = baselineRequestId
      stage.updatedAt = now
      try await StateQueries.saveStage(db, stage)
      var data: [String: JSONValue] = ["operation": .string(operation.rawValue)]
      if let baselineRequestId { data["baselineRequestId"] = .string(baselineRequestId) }
      _ = try await StateQueries.insertEvent(
        db, run: run, stage: name, at: now, kind: EventRecord.Kind.stageOperation,
        message: "stage \(name): \(operation.rawValue)", data: .object(data))
      return stage
    }
  }

  @discardableResult
  public func recordStageUnchanged(
    run: RunID, stage: String, deploymentName: String, deploymentId: String, projectId: String,
    outputs: JSONValue, resources: JSONValue
  ) async throws -> StageRecord {
    try await transitionStage("recording the unchanged stage", run: run, stage: stage, to: .succeeded) { stage in
      stage.deploymentName = deploymentName
      stage.deploymentId = deploymentId
      stage.projectId = projectId
      stage.requestId = nil
      stage.blueprintRequestId = nil
      stage.outputs = outputs
      stage.resources = resources
      stage.error = nil
      return ["unchanged": true]
    }
  }

  public func stage(run: RunID, name: String) async throws -> StageRecord? {
    try await read("reading stage \(name) of run \(run)") { db in
      try await StateQueries.fetchStage(db, run: run, name: name)
    }
  }

  public func stages(of run: RunID) async throws -> [StageRecord] {
    try await read("reading the stages of run \(run)") { db in try await StateQueries.fetchStages(db, run: run) }
  }

  public func stagesNeedingReconciliation(run: RunID) async throws -> [StageRecord] {
    try await read("finding stages to reconcile in run \(run)") { db in
      try await StateQueries.fetchStages(db, run: run, status: .submitting).filter(\.needsReconciliation)
    }
  }

  /// One validated stage transition in one transaction, with its `stage.status` event.
  /// `change` edits the record and returns extra event data.
  private func transitionStage(
    _ operation: String, run: RunID, stage name: String, to next: StageStatus,
    _ change: @escaping @Sendable (inout StageRecord) throws -> [String: JSONValue]
  ) async throws -> StageRecord {
    try await write("\(operation) (stage \(name) of run \(run))", run: run) { db, now in
      guard var stage = try await StateQueries.fetchStage(db, run: run, name: name) else {
        guard try await StateQueries.fetchRun(db, run) != nil else { throw StateStoreError.unknownRun(run) }
        throw StateStoreError.unknownStage(run: run, stage: name)
      }
      let from = stage.status
      guard from.canTransition(to: next) else {
        throw StateStoreError.illegalStageTransition(run: run, stage: name, from: from, to: next)
      }
      var data = try change(&stage)
      stage.status = next
      stage.updatedAt = now
      try await StateQueries.saveStage(db, stage)
      data["from"] = .string(from.rawValue)
      data["to"] = .string(next.rawValue)
      data["attempt"] = .int(stage.attempt)
      if let value = stage.deploymentName { data["deploymentName"] = .string(value) }
      if let value = stage.deploymentId { data["deploymentId"] = .string(value) }
      if let value = stage.requestId { data["requestId"] = .string(value) }
      if let value = stage.blueprintRequestId { data["blueprintRequestId"] = .string(value) }
      _ = try await StateQueries.insertEvent(
        db, run: run, stage: name, at: now, kind: EventRecord.Kind.stageStatus,
        message: "stage \(name): \(from) → \(next)", data: .object(data))
      return stage
    }
  }
}
