// Batched tracking vs per-deployment polling against the vRA simulator (run in a child process).
//
//   swift build -c release --product TrackerBenchmark --scratch-path .build-release
//   .build-release/release/TrackerBenchmark [--counts 1000,10000] [--runs 3] [--projects 10] [--interval 10]
//
// For each N the workload (projects, templates, submission times, hence completion times) is fixed
// first and printed. Each (mode, run) then runs in its own process (`TrackerBenchmark measure ...`,
// the modes interleaved run by run): a fresh simulator (another child process), the N deployments
// submitted at the workload's pace, the planned start of tracking, and all N tracked to their end,
// batched (DeploymentTracker) or one GET /deployment/api/requests/{id} per deployment per interval.
// Every noticed completion is written to a real SQLStateStore (SQLite in a temp dir); the notice
// latency runs from vRA's completedAt to the moment that write returned, and the hand-over latency
// to the moment the tracker handed the update over.
import Foundation

func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

/// `median (min–max)` of one column over the runs.
func spread(_ values: [Double], _ digits: Int = 2) -> String {
  let sorted = values.sorted()
  guard let first = sorted.first, let last = sorted.last else { return "-" }
  let median = sorted[sorted.count / 2]
  if sorted.count == 1 { return format(median, digits) }
  return "\(format(median, digits)) (\(format(first, digits))–\(format(last, digits)))"
}

func describe(_ m: RunMeasurement) -> String {
  var line =
    "run \(m.run) \(m.mode) N=\(m.count): calls \(m.apiCalls) (\(format(m.callsPerSecond, 1))/s, "
    + "\(format(m.callsPerDeployment, 4))/deployment"
  if m.mode == "batched" {
    line += "; lists \(m.listCalls), recheck lists \(m.recheckListCalls), by id \(m.lookups), ticks \(m.ticks)"
  }
  line +=
    "), handed over p50 \(format(m.handedOver(0.5))) p99 \(format(m.handedOver(0.99))) max "
    + "\(format(m.handedOver(1))) s, stored p50 \(format(m.stored(0.5))) p99 \(format(m.stored(0.99))) max "
    + "\(format(m.stored(1))) s, write p99 \(format(m.writes(0.99), 3)) s, CPU \(format(m.cpuSeconds)) s "
    + "(\(format(m.cpuPercent, 1)) %), peak RSS \(format(m.peakRSS, 0)) MB, tracking \(format(m.trackSeconds, 1)) s, "
    + "setup lag \(format(m.setupLag, 2)) s, load \(format(m.loadAtStart, 1))→\(format(m.loadAtEnd, 1)), failed \(m.failed), "
    + "per-deployment calls for these completions \(m.naiveEquivalent) (batched/that: "
    + "\(format(Double(m.apiCalls) / Double(max(m.naiveEquivalent, 1)) * 100, 2)) %), stored after > 2 s: \(m.late)"
    + (m.late > 0 ? " (completed \(format(m.lateFrom, 1))…\(format(m.lateTo, 1)) s into tracking)" : "")
  return line
}

let arguments = CommandLine.arguments
if arguments.count > 1, arguments[1] == "simulator" {
  var durations: [String: Double] = [:]
  for argument in arguments.dropFirst(3) {
    let parts = argument.split(separator: "=")
    if parts.count == 2, let seconds = Double(parts[1]) { durations[String(parts[0])] = seconds }
  }
  try await SimulatorChild.serve(projects: Int(arguments[2]) ?? 10, durations: durations)
} else if arguments.count > 2, arguments[1] == "measure" {
  let order = try JSONDecoder().decode(MeasureOrder.self, from: Data(arguments[2].utf8))
  let result = try await measure(order)
  emit("result " + String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
} else {
  let options = Options(Array(arguments.dropFirst()))
  emit(
    "TrackerBenchmark: \(options.projects) projects, interval \(format(options.interval, 1)) s, batched min "
      + "\(format(options.minInterval, 1)) s, notice target \(format(options.noticeTarget, 1)) s, "
      + "type hints \(options.typeHints ? "on" : "off"), \(options.runs) run(s) per size, "
      + (options.inProcess ? "every measurement in this process" : "one process per mode and run")
      + "; \(ProcessInfo.processInfo.activeProcessorCount) cores, load \(format(LoadAverage.oneMinute(), 1)), "
      + "\(Date())")
  var summary: [String] = []
  for (countIndex, count) in options.counts.enumerated() {
    let workload = Workload(count: count, projects: options.projects, rate: options.rate(countIndex))
    emit(workload.description)
    let planned = workload.plannedNaiveCalls(interval: options.interval)
    emit(
      "  per-deployment calls planned for this workload: \(planned) (\(format(Double(planned) / Double(count), 3)) "
        + "per deployment)")
    var measured: [RunMeasurement] = []
    for runNumber in 1...max(options.runs, 1) {
      // The modes alternate which goes first, so neither always runs on the cooler machine.
      let offset = (runNumber - 1) % max(options.modes.count, 1)
      for mode in options.modes[offset...] + options.modes[..<offset] {
        let order = MeasureOrder(
          mode: mode, count: count, rate: options.rate(countIndex), run: runNumber, options: options)
        let m = options.inProcess ? try await measure(order) : try measureInChild(order)
        measured.append(m)
        emit(describe(m))
      }
    }
    for mode in options.modes {
      let rows = measured.filter { $0.mode == mode }
      summary.append(
        "| \(count) | \(mode) | \(rows.count) | \(spread(rows.map { Double($0.apiCalls) }, 0)) | "
          + "\(spread(rows.map(\.callsPerSecond), 1)) | \(spread(rows.map(\.callsPerDeployment), 4)) | "
          + "\(spread(rows.map { $0.handedOver(0.99) })) | "
          + "\(spread(rows.map { $0.stored(0.5) })) | \(spread(rows.map { $0.stored(0.99) })) | "
          + "\(spread(rows.map(\.cpuPercent), 1)) | \(spread(rows.map(\.peakRSS), 0)) | "
          + "\(spread(rows.map(\.trackSeconds), 1)) | \(spread(rows.map(\.loadAtStart), 1)) |")
    }
    let batched = measured.filter { $0.mode == "batched" }.sorted { $0.run < $1.run }
    let naive = measured.filter { $0.mode == "per-deployment" }.sorted { $0.run < $1.run }
    if !batched.isEmpty {
      // Run by run: the two modes of one run tracked the same workload. Without a per-deployment
      // run, against the calls planned for it.
      let ratios =
        naive.isEmpty
        ? batched.map { Double($0.apiCalls) / Double(planned) * 100 }
        : zip(batched, naive).map { $0.callsPerDeployment / $1.callsPerDeployment * 100 }
      let against = naive.isEmpty ? "the per-deployment calls planned" : "per-deployment"
      summary.append(
        "| \(count) | batched / \(against) | | | | **\(spread(ratios, 2)) %** of the calls per deployment | | | | | | | |"
      )
    }
    if !batched.isEmpty {
      // Against what per-deployment polling costs for the completions the batched run itself had:
      // exact even when a setup fell behind its plan (and so the two runs' completions differ).
      let same = batched.map { Double($0.apiCalls) / Double(max($0.naiveEquivalent, 1)) * 100 }
      summary.append(
        "| \(count) | batched / per-deployment for the same completions | | | | **\(spread(same, 2)) %** | | | | | | | |"
      )
    }
    emit(summary.suffix(options.modes.count + 2).joined(separator: "\n"))
  }
  print(
    "\n| in flight | mode | runs | API calls | calls/s | calls per deployment | handed over p99 s | stored p50 s | "
      + "stored p99 s | engine CPU % of a core | peak RSS MB | tracking s | load at start |")
  print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
  for row in summary { print(row) }
}
