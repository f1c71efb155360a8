import Foundation
import RunState
import Tracing
import VRAModels

/// A check stage: resolves the check's references against the stages before it, probes until the
/// check passes or its timeout runs out, and records the verdict (a `stage.check` event with the
/// last answer or the command's output, redacted) before the stage's result. Nothing goes to vRA.
extension StageRunner {
  func check(_ stage: PlanStage, _ check: StageCheck, span: any Span) async throws -> StageOutcome {
    let context = ResolutionContext(runId: runId, environment: environment, stageResults: await results.all)
    let resolved = try PlanResolver.resolve(
      .object(check.settings), in: context, stage: stage.name, field: "check.\(check.kind.rawValue)")
    let secretEnvironment = secrets.inputs(for: stage).mapValues { PlanResolver.text(of: $0) }
    let probe = try CheckProbe(
      check, settings: resolved.objectValue ?? [:], environment: secretEnvironment,
      directory: URL(fileURLWithPath: plan.file).deletingLastPathComponent())
    let target = client.redactor.redact(probe.target)
    span.attributes["vra_engine.check.kind"] = check.kind.rawValue

    // A command may act on anything: like a POST, it starts only while this process holds the run.
    try await control.confirmLease(of: runId)
    try await store.recordStageStatus(run: runId, stage: stage.name, to: .running, requestId: nil, deploymentId: nil)
    emit(.stage(stage.name, .running, detail: "checking \(check.kind.rawValue) \(target)"))
    let verdict = try await CheckLoop(check).run(
      attempt: { timeout in try await probe.attempt(timeout: timeout) },
      progress: { [emit, redactor = client.redactor] attempt, result, inRow in
        let count = check.times > 1 ? " (\(inRow) of \(check.times) in a row)" : ""
        emit(.stage(stage.name, .running, detail: "attempt \(attempt): \(redactor.redact(result.summary))\(count)"))
      })
    try await recordVerdict(verdict, of: check, target: target, stage: stage)
    span.attributes["vra_engine.check.attempts"] = verdict.attempts
    guard verdict.passed else {
      let last = verdict.last.map { client.redactor.redact($0.summary) } ?? "no attempt fit in the timeout"
      throw StageFailure(
        message: "the \(check.kind.rawValue) check of \(target) did not pass \(check.times) time(s) in a row within "
          + "\(PlanDurationParser.text(check.timeout)) (\(verdict.attempts) attempt(s)); the last: \(last)",
        hint: check.kind == .command
          ? "the command's output is in the run's report (stages[].check.output)"
          : "raise the check's `timeout` if the application needs longer to start", errorClass: .deployment)
    }
    var outputs: [String: JSONValue] = ["attempts": .int(verdict.attempts)]
    if let code = verdict.last?.code { outputs[check.kind == .http ? "status" : "exitStatus"] = .int(code) }
    try await store.recordStageResult(run: runId, stage: stage.name, outputs: .object(outputs), resources: .object([:]))
    await results.record(stage.name, StageOutputs(deploymentId: "", deploymentName: "", outputs: outputs))
    let answer = client.redactor.redact(verdict.last?.summary ?? "")
    emit(.stage(stage.name, .succeeded, detail: "\(check.kind.rawValue) \(target): \(answer)"))
    return .succeeded
  }

  /// The verdict as the run's report shows it (`stages[].check`), redacted.
  private func recordVerdict(
    _ verdict: CheckLoop.Verdict, of check: StageCheck, target: String, stage: PlanStage
  )
    async throws
  {
    var data: [String: JSONValue] = [
      "kind": .string(check.kind.rawValue), "target": .string(target), "passed": .bool(verdict.passed),
      "attempts": .int(verdict.attempts), "passesInRow": .int(verdict.passesInRow), "times": .int(check.times),
      "seconds": .double((verdict.elapsed / .milliseconds(1)).rounded() / 1000),
    ]
    if let last = verdict.last {
      data["last"] = .string(client.redactor.redact(last.summary))
      if let code = last.code { data[check.kind == .http ? "status" : "exitStatus"] = .int(code) }
      // A passing HTTP answer's body is not news; a failing one's, and a command's output, are.
      if let output = last.output, check.kind == .command || !last.passed {
        data["output"] = .string(client.redactor.redact(String(output.suffix(4096))))
      }
    }
    try await store.appendEvent(
      run: runId, stage: stage.name, kind: EventRecord.Kind.stageCheck,
      message: "\(stage.name): check \(verdict.passed ? "passed" : "failed") after \(verdict.attempts) attempt(s)",
      data: .object(data))
  }
}
