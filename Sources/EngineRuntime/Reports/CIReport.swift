import Credentials
import Engine
import Foundation
import RunState
import VRAModels

/// A run as CI systems read it (`apply --report junit=FILE`, `--report markdown=FILE`): one test
/// case per stage, in the plan's order, each with its time, its deployment and, when it did not
/// succeed, vRA's reason and the failure class. Built from the run's final report (`RunReport`, read
/// from the store, so it is the same after a crash) and its event log (when each stage started and
/// ended). Other kinds of test case (a sandbox's teardown, later checks) are more cases of the same shape.
public struct CIReport: Sendable {
  /// One test case: a stage, or the teardown of `--destroy-after`.
  public struct TestCase: Sendable {
    public enum Outcome: Sendable, Equatable {
      case passed
      /// `type` is the failure class (`deployment`, `stage_timeout`, `cancelled`, ...).
      case failed(type: String, message: String, details: String?)
      case skipped(String)
    }

    /// `stage`, `teardown` (and later `check`): the JUnit class name's last part.
    public var kind: String
    public var name: String
    /// The status as recorded (`succeeded`, `failed`, `rolled-back`, ...).
    public var status: String
    public var outcome: Outcome
    /// Nil when unknown (a stage that never started, a run followed through a server).
    public var duration: Duration?
    public var deploymentName: String?
    public var deploymentId: String?
    /// Free text for `system-out`: the deployment, the request, what happened after.
    public var output: [String]

    public init(
      kind: String, name: String, status: String, outcome: Outcome, duration: Duration? = nil,
      deploymentName: String? = nil, deploymentId: String? = nil, output: [String] = []
    ) {
      self.kind = kind
      self.name = name
      self.status = status
      self.outcome = outcome
      self.duration = duration
      self.deploymentName = deploymentName
      self.deploymentId = deploymentId
      self.output = output
    }

    /// One line for a person: why it failed, was skipped, or nothing.
    public var reason: String? {
      switch outcome {
      case .passed: nil
      case .failed(_, let message, _): message
      case .skipped(let message): message
      }
    }
  }

  /// The plan's name: the test suite's.
  public var planName: String
  public var runId: String
  /// How the run ended (`succeeded`, `failed`, `cancelled`).
  public var status: String
  public var startedAt: Date
  public var finishedAt: Date?
  public var cases: [TestCase]
  /// What else a reader must know, one line each: the run exceeded `--max-duration`, the teardown.
  public var notes: [String]

  public init(
    planName: String, runId: String, status: String, startedAt: Date, finishedAt: Date?, cases: [TestCase],
    notes: [String] = []
  ) {
    self.planName = planName
    self.runId = runId
    self.status = status
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.cases = cases
    self.notes = notes
  }

  /// The whole run's time, when it ended.
  public var duration: Duration? {
    finishedAt.map { .milliseconds(Int64(($0.timeIntervalSince(startedAt) * 1000).rounded())) }
  }

  /// The report of a run as stored: `report` (the run's final `RunReport`) and the run's events,
  /// which say when each stage started and ended. `cancelReason` is why cancelled stages were
  /// cancelled, when it was not a person (the run exceeded `--max-duration`).
  public static func of(
    _ report: RunReport, planName: String, events: [EventRecord] = [], cancelReason: String? = nil
  ) -> CIReport {
    let timings = StageTimings(events: events)
    return CIReport(
      planName: planName, runId: report.run.id, status: report.run.status, startedAt: report.run.startedAt,
      finishedAt: report.run.finishedAt,
      cases: report.stages.map { stage in
        var output: [String] = []
        if let name = stage.deploymentName {
          output.append("deployment: \(name)\(stage.deploymentId.map { " (\($0))" } ?? "")")
        }
        if let request = stage.requestId { output.append("request: \(request)") }
        output.append("status: \(stage.status)")
        output += checkLines(stage.check)
        var outcome = outcome(of: stage, cancelReason: cancelReason)
        if stage.check != nil, case .failed(let type, let message, let details) = outcome, type == "deployment" {
          outcome = .failed(type: "check", message: message, details: details)
        }
        return TestCase(
          kind: stage.check == nil ? "stage" : "check", name: stage.name, status: stage.status,
          outcome: outcome, duration: timings.duration(of: stage.name),
          deploymentName: stage.deploymentName, deploymentId: stage.deploymentId, output: output)
      })
  }

  /// A check stage's verdict as `system-out` lines: what it checked, how often, the last answer and
  /// the command's output (already redacted in the store).
  static func checkLines(_ check: JSONValue?) -> [String] {
    guard let check = check?.objectValue else { return [] }
    func text(_ key: String) -> String {
      switch check[key] {
      case .string(let text)?: text
      case .int(let number)?: String(number)
      case .double(let number)?: String(number)
      case .bool(let flag)?: String(flag)
      default: "?"
      }
    }
    var lines = [
      "check: \(text("kind")) \(text("target"))",
      "attempts: \(text("attempts")), passes in a row: \(text("passesInRow")) of \(text("times"))",
    ]
    if check["last"] != nil { lines.append("last: \(text("last"))") }
    if let output = check["output"]?.stringValue, !output.isEmpty { lines.append("output:\n\(output)") }
    return lines
  }

  /// Passed when the stage succeeded (or succeeded and was rolled back after another failed); a
  /// failure when it failed, was cancelled or has an error; skipped when it never ran.
  static func outcome(of stage: RunReport.Stage, cancelReason: String?) -> TestCase.Outcome {
    let status = StageStatus(rawValue: stage.status)
    if let error = stage.error, status != .succeeded {
      return .failed(type: error.errorClass.rawValue, message: error.message, details: error.hint.map { "hint: \($0)" })
    }
    switch status {
    case .succeeded?, .rolledBack?, .destroyed?: return .passed
    case .skipped?, .pending?: return .skipped(stage.status == "pending" ? "never started" : "skipped")
    case .cancelled?: return .failed(type: "cancelled", message: cancelReason ?? "cancelled", details: nil)
    case .failed?: return .failed(type: "deployment", message: "failed", details: nil)
    default: return .failed(type: "incomplete", message: "the run ended with the stage \(stage.status)", details: nil)
    }
  }

  /// Every text of the report through `redactor` (the process's: secrets never reach a file).
  public func redacted(by redactor: Redactor) -> CIReport {
    var copy = self
    copy.planName = redactor.redact(planName)
    copy.notes = notes.map(redactor.redact)
    copy.cases = cases.map { testCase in
      var testCase = testCase
      testCase.name = redactor.redact(testCase.name)
      testCase.deploymentName = testCase.deploymentName.map(redactor.redact)
      testCase.output = testCase.output.map(redactor.redact)
      if case .failed(let type, let message, let details) = testCase.outcome {
        testCase.outcome = .failed(
          type: redactor.redact(type), message: redactor.redact(message), details: details.map(redactor.redact))
      } else if case .skipped(let message) = testCase.outcome {
        testCase.outcome = .skipped(redactor.redact(message))
      }
      return testCase
    }
    return copy
  }
}
