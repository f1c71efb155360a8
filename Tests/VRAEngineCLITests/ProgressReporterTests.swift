import Engine
import RunState
import Synchronization
import Testing

@testable import VRAEngineCLI

/// The two faces of the progress display, fed the same events: a table redrawn in place on a
/// terminal, one line per change in a log.
struct ProgressReporterTests {
  final class Capture: Sendable {
    let text = Mutex("")
    func write(_ chunk: String) { text.withLock { $0 += chunk } }
    var all: String { text.withLock { $0 } }
  }

  static let run = RunID(rawValue: "abcd1234")
  static let events: [RunEvent] = [
    .runStarted(run, stages: ["net", "app"], resumed: false),
    .stageContext(ExecutionContext(runId: run, stage: "net", project: "Development", region: "eu-west")),
    .stage("net", .submitting, detail: "net-abcd1234"),
    .progress("net", completedTasks: 1, totalTasks: 3),
    .progress("net", completedTasks: 1, totalTasks: 3),
    .progress("net", completedTasks: 3, totalTasks: 3),
    .stage("net", .succeeded, detail: nil),
    .stageContext(ExecutionContext(runId: run, stage: "app", project: "Production", constraintTags: ["env:prod"])),
    .stage("app", .failed, detail: "no placement"),
    .runFinished(run, .failed),
  ]

  @Test func aLogGetsOneLinePerChangeWithTheStageContext() {
    let capture = Capture()
    let reporter = ProgressReporter(interactive: false, write: capture.write)
    for event in Self.events { reporter.handle(event) }
    #expect(
      capture.all.split(separator: "\n") == [
        "run abcd1234 started: net, app",
        "net [project Development, region eu-west]: submitting — net-abcd1234",
        "net [project Development, region eu-west]: 1/3 tasks",
        "net [project Development, region eu-west]: 3/3 tasks",
        "net [project Development, region eu-west]: succeeded",
        "app [project Production, tags env:prod]: failed — no placement",
        "run abcd1234 failed",
      ])
  }

  @Test func aTerminalGetsATableRedrawnInPlace() {
    let capture = Capture()
    let reporter = ProgressReporter(interactive: true, write: capture.write)
    for event in Self.events.prefix(4) { reporter.handle(event) }
    let frames = capture.all.components(separatedBy: "STAGE")
    #expect(frames.count - 1 == 3, "one frame per visible change: start, submitting, progress")
    #expect(!frames[0].contains("\u{1B}[") && frames[0].isEmpty, "the first frame starts where the cursor is")
    #expect(frames[2].hasSuffix("\u{1B}[3F"), "each later frame first moves up over the 3 lines drawn before")
    let last = frames[3].split(separator: "\n")
    #expect(last.count == 3)
    #expect(last[1].hasPrefix("net") && last[1].contains("submitting") && last[1].contains("1/3"))
    #expect(last[1].contains("Development") && last[1].contains("net-abcd1234"))
    #expect(last[2].hasPrefix("app") && last[2].contains("pending"))
  }

  @Test func quietShowsNothing() {
    let capture = Capture()
    let reporter = ProgressReporter(interactive: false, quiet: true, write: capture.write)
    for event in Self.events { reporter.handle(event) }
    #expect(capture.all.isEmpty)
  }

  @Test func theStreamDeliversEveryEventInOrder() async {
    let capture = Capture()
    let reporter = ProgressReporter(interactive: false, write: capture.write)
    let (events, sink, finish) = RunEvent.stream()
    let shown = Task { await reporter.show(events) }
    for event in Self.events { sink(event) }
    finish()
    await shown.value
    #expect(capture.all.hasPrefix("run abcd1234 started") && capture.all.hasSuffix("run abcd1234 failed\n"))
    #expect(capture.all.split(separator: "\n").count == 7)
  }
}
