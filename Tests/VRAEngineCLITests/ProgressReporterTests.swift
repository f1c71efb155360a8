import Engine
import Foundation
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

  /// The run's line starts every frame: the run id another terminal needs for `vra-engine cancel`.
  static let runLine = "run abcd1234 (to cancel it from another terminal: vra-engine cancel abcd1234)"

  @Test func aTerminalGetsATableRedrawnInPlaceUnderTheRunId() {
    let capture = Capture()
    let reporter = ProgressReporter(interactive: true, write: capture.write)
    for event in Self.events.prefix(4) { reporter.handle(event) }
    let frames = capture.all.components(separatedBy: Self.runLine)
    #expect(frames.count - 1 == 3, "one frame per visible change: start, submitting, progress")
    #expect(frames[0].isEmpty, "the first frame starts where the cursor is, with the run id")
    #expect(frames[2].hasSuffix("\u{1B}[4F"), "each later frame first moves up over the 4 lines drawn before")
    let last = frames[3].split(separator: "\n")
    #expect(last.count == 4)
    #expect(last[1].hasPrefix("STAGE") && last[1].contains("ELAPSED"))
    #expect(last[2].hasPrefix("net") && last[2].contains("submitting") && last[2].contains("1/3"))
    #expect(last[2].contains("Development") && last[2].contains("net-abcd1234"))
    #expect(last[3].hasPrefix("app") && last[3].contains("pending"))
  }

  /// A clock the test moves by hand.
  final class ManualClock: Sendable {
    let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func now() -> Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
  }

  /// The ELAPSED column of `stage` in the last frame written.
  static func elapsed(_ stage: String, in text: String) -> String? {
    let frame = text.components(separatedBy: runLine).last ?? ""
    guard let row = frame.split(separator: "\n").first(where: { $0.hasPrefix(stage + " ") }) else { return nil }
    // STAGE 20, STATUS 14, PROGRESS 10, then ELAPSED 9 columns.
    return String(row.dropFirst(44).prefix(9)).trimmingCharacters(in: .whitespaces)
  }

  /// Between events the table is redrawn each tick while a stage runs, so ELAPSED moves; once
  /// nothing runs, ticks draw nothing.
  @Test func theElapsedColumnTicksWhileAStageRuns() {
    let capture = Capture()
    let clock = ManualClock()
    let reporter = ProgressReporter(interactive: true, write: capture.write, now: clock.now)
    reporter.handle(.runStarted(Self.run, stages: ["db"], resumed: false))
    reporter.tick()
    #expect(capture.all.components(separatedBy: Self.runLine).count - 1 == 1, "nothing runs yet: no redraw")
    reporter.handle(.stage("db", .running, detail: nil))
    #expect(Self.elapsed("db", in: capture.all) == "0s")
    clock.advance(1)
    reporter.tick()
    #expect(Self.elapsed("db", in: capture.all) == "1s")
    clock.advance(9)
    reporter.tick()
    #expect(Self.elapsed("db", in: capture.all) == "10s", "\(capture.all)")
    reporter.handle(.stage("db", .succeeded, detail: nil))
    let frames = capture.all.components(separatedBy: Self.runLine).count
    clock.advance(5)
    reporter.tick()
    #expect(capture.all.components(separatedBy: Self.runLine).count == frames, "a finished run is not redrawn")
    #expect(Self.elapsed("db", in: capture.all) == "10s", "a finished stage keeps its time")

    let log = Capture()
    let lines = ProgressReporter(interactive: false, write: log.write, now: clock.now)
    lines.handle(.runStarted(Self.run, stages: ["db"], resumed: false))
    lines.handle(.stage("db", .running, detail: nil))
    let before = log.all
    lines.tick()
    #expect(log.all == before, "a log gets lines for changes only")
  }

  @Test func quietShowsOnlyTheRunId() {
    let capture = Capture()
    let reporter = ProgressReporter(interactive: false, quiet: true, write: capture.write)
    for event in Self.events { reporter.handle(event) }
    #expect(capture.all == "run abcd1234 started\n")
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
