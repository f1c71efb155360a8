import EngineRuntime
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// The JUnit file validated against the common JUnit schema (`Tests/Resources/junit/junit.xsd`) by
/// libxml2's `xmllint` (Debian's libxml2-utils, which `.ci/run` installs).
enum JUnitSchema {
  static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Resources/junit/junit.xsd")

  /// xmllint's verdict and what it said.
  static func validate(_ file: URL) async throws -> (valid: Bool, output: String) {
    let xmllint = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
    let tool = try #require(xmllint, "xmllint is missing: apt-get install libxml2-utils (.ci/run installs it)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = ["--noout", "--schema", schema.path, file.path]
    let log = try Scratch.directory().appendingPathComponent("xmllint.log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    let status = try await ChildProcess.run(process)
    try handle.close()
    return (status == 0, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
  }
}

/// `apply --report junit=FILE --report markdown=FILE`: what CI systems read of a run.
@Suite(.serialized) struct CIReportTests {
  static let canary = "canary-Report-" + UUID().uuidString.prefix(8)

  /// net succeeds, doomed fails while provisioning (vRA's reason), echoed is refused by vRA with a
  /// message that repeats its secret input, after depends on doomed and is skipped.
  static let files = [
    "plan.yaml": """
    name: report-demo
    defaults: {project: Development, onFailure: continue}
    stages:
      net: {template: network.yaml}
      doomed: {template: doomed.yaml}
      echoed:
        template: echoed.yaml
        secrets: {code: "env:REPORT_CANARY"}
      after: {template: network.yaml, dependsOn: [doomed]}
    """,
    "network.yaml": EngineTemplates.network,
    "doomed.yaml": """
    formatVersion: 1
    resources:
      fail-vm: {type: Cloud.Machine, properties: {image: ubuntu}}
    """,
    "echoed.yaml": """
    formatVersion: 1
    inputs:
      code: {type: string, pattern: "^[0-9]+$"}
    resources:
      net: {type: Cloud.Network, properties: {cidr: 10.0.0.0/24}}
    """,
  ]

  static func failing(_ configuration: inout SimulatorConfiguration) {
    configuration.timeScale = 0.004
    configuration.faults.enabled = true
    configuration.faults.failResources = ["fail-*"]
  }

  @Test func aFailedRunsReportsNameEachStageWithVRAsReasonAndNoSecret() async throws {
    try await SimulatorHarness.with(Self.failing) { harness in
      let directory = try Scratch.files(Self.files, in: Scratch.directory())
      let summary = directory.appendingPathComponent("step-summary.md")
      try Data("## earlier step\n".utf8).write(to: summary)
      let run = try await CLIHarness.run(
        [
          "apply", "plan.yaml", "--report", "junit=out/report.xml", "--report", "markdown=summary.md", "--state",
          directory.appendingPathComponent("state.db").path,
        ], in: directory, harness: harness,
        environment: ["REPORT_CANARY": String(Self.canary), "GITHUB_STEP_SUMMARY": summary.path])
      #expect(run.status == 1, "stderr: \(run.stderr)")

      let junitFile = directory.appendingPathComponent("out/report.xml")
      let junit = try String(contentsOf: junitFile, encoding: .utf8)
      let verdict = try await JUnitSchema.validate(junitFile)
      #expect(verdict.valid, "\(verdict.output)\n\(junit)")
      #expect(
        junit.contains(#"<testsuite name="report-demo" tests="4" failures="2" errors="0" skipped="1""#), "\(junit)")
      #expect(junit.contains(#"<testcase name="net" classname="vra-engine.report-demo.stage" time=""#))
      #expect(junit.contains(#"<failure type="deployment" message="#), "vRA failed doomed: \(junit)")
      #expect(junit.contains("fail-vm"), "vRA's reason names the resource: \(junit)")
      #expect(junit.contains(#"<testcase name="after""#) && junit.contains("<skipped message="))
      #expect(junit.contains("<system-out>deployment: report-demo-net-"), "\(junit)")

      let markdown = try String(contentsOf: directory.appendingPathComponent("summary.md"), encoding: .utf8)
      #expect(markdown.contains("| Stage | Status | Deployment | Duration | Reason |"), "\(markdown)")
      #expect(markdown.contains("| net | ✅ succeeded | `report-demo-net-"), "\(markdown)")
      #expect(markdown.contains("| doomed | ❌ failed |"), "\(markdown)")
      let stepSummary = try String(contentsOf: summary, encoding: .utf8)
      #expect(stepSummary.hasPrefix("## earlier step\n"), "appended, not replaced")
      #expect(stepSummary.contains("| doomed | ❌ failed |"))

      // The canary reached vRA (which echoed it back in its refusal), yet no report holds it.
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") >= 3)
      #expect(
        junit.contains("echoed") && junit.contains("&lt;redacted&gt;"), "the echoed refusal is reported, redacted")
      for text in [junit, markdown, stepSummary, run.everything] { #expect(!text.contains(Self.canary)) }
    }
  }

  @Test func aSucceededRunIsAllPassedWithTimes() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try Scratch.files(
        [
          "plan.yaml": EngineTemplates.sixStagePlan, "network.yaml": EngineTemplates.network,
          "machine.yaml": EngineTemplates.machine, "app.yaml": EngineTemplates.app,
        ], in: Scratch.directory())
      let run = try await CLIHarness.run(
        [
          "apply", "plan.yaml", "--report", "junit=report.xml", "--state",
          directory.appendingPathComponent("s.db").path,
        ],
        in: directory, harness: harness)
      #expect(run.status == 0, "stderr: \(run.stderr)")
      let file = directory.appendingPathComponent("report.xml")
      let junit = try String(contentsOf: file, encoding: .utf8)
      #expect(try await JUnitSchema.validate(file).valid, "\(junit)")
      #expect(junit.contains(#"tests="6" failures="0" errors="0" skipped="0""#), "\(junit)")
      let timed = junit.split(separator: "\n").filter { $0.contains("<testcase ") && $0.contains(" time=\"") }
      #expect(timed.count == 6, "every stage has its time: \(junit)")
      #expect(!junit.contains("<failure"))
      let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
      #expect(left.allSatisfy { !$0.hasSuffix(".tmp") }, "no temporary file left: \(left)")
    }
  }

  /// Text that would break XML or a Markdown table is escaped; the result stays schema-valid.
  @Test func hostileTextIsEscaped() async throws {
    let hostile = "a<b>&\"c\" 'd' | e\nf\r\u{1}g ]]> %"
    let report = CIReport(
      planName: hostile, runId: "abcd1234", status: "failed", startedAt: Date(timeIntervalSince1970: 0),
      finishedAt: Date(timeIntervalSince1970: 61.5),
      cases: [
        .init(
          kind: "stage", name: hostile, status: "failed",
          outcome: .failed(type: "deployment", message: hostile, details: hostile), duration: .milliseconds(1234),
          deploymentName: hostile, output: [hostile]),
        .init(kind: "stage", name: "ok", status: "skipped", outcome: .skipped(hostile)),
      ], notes: [hostile])
    let junit = JUnitReport.render(report)
    let file = try Scratch.directory().appendingPathComponent("hostile.xml")
    try Data(junit.utf8).write(to: file)
    let verdict = try await JUnitSchema.validate(file)
    #expect(verdict.valid, "\(verdict.output)\n\(junit)")
    #expect(junit.contains("name=\"a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos; | e&#10;f&#13;g ]]&gt; %\""), "\(junit)")
    #expect(!junit.contains("\u{1}"))
    #expect(junit.contains(#"time="1.234""#) && junit.contains(#"time="61.500""#))

    let markdown = MarkdownReport.render(report)
    let row = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| a") })
    #expect(row.components(separatedBy: " | ").count == 5, "one row of five cells: \(row)")
    #expect(!markdown.contains("<b>"))
  }

  @Test func reportFlagsAreChecked() async throws {
    for arguments in [["--report", "html=x.html"], ["--report", "junit="], ["--report", "junit=x.xml", "--dry-run"]] {
      let run = try await CLIHarness.run(["apply", "/nonexistent/plan.yaml"] + arguments)
      #expect(run.status == 2, "\(arguments): \(run.stderr)")
      #expect(run.stderr.contains("--report"), "\(arguments): \(run.stderr)")
    }
  }
}
