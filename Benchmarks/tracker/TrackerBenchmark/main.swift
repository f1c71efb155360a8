// Batched tracking vs per-deployment polling against the vRA simulator (run in a child process).
//
//   swift build -c release --product TrackerBenchmark --scratch-path .build-release
//   .build-release/release/TrackerBenchmark [--counts 1000,10000] [--runs 3] [--projects 10] [--interval 10]
//
// For each N the workload (projects, templates, submission times, hence completion times) is fixed
// first and printed. Each run then starts a fresh simulator per mode, submits the N deployments at
// the workload's pace, waits for the planned start of tracking, and tracks all N to their end:
// batched (DeploymentTracker) or one GET /deployment/api/requests/{id} per deployment per interval.
// Every noticed completion is written to a real SQLStateStore (SQLite in a temp dir); the notice
// latency runs from vRA's completedAt to the moment that write returned.
import Credentials
import Engine
import Foundation
import Logging
import RunState
import VRAClient
import VRAModels

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

struct Options {
  var counts = [1000, 10000]
  var projects = 10
  var interval = 10.0
  var minInterval = 0.5
  var noticeTarget = 1.0
  var runs = 3
  var rates: [Double] = []
  var modes = ["batched", "per-deployment"]
  var concurrency = 64
  var typeHints = true

  init(_ arguments: [String]) {
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
      switch argument {
      case "--counts": counts = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
      case "--projects": projects = Int(iterator.next() ?? "") ?? projects
      case "--interval": interval = Double(iterator.next() ?? "") ?? interval
      case "--min-interval": minInterval = Double(iterator.next() ?? "") ?? minInterval
      case "--notice-target": noticeTarget = Double(iterator.next() ?? "") ?? noticeTarget
      case "--runs": runs = Int(iterator.next() ?? "") ?? runs
      case "--rate": rates = (iterator.next() ?? "").split(separator: ",").compactMap { Double($0) }
      case "--modes": modes = (iterator.next() ?? "").split(separator: ",").map(String.init)
      case "--concurrency": concurrency = Int(iterator.next() ?? "") ?? concurrency
      case "--no-type-hints": typeHints = false
      default: break
      }
    }
  }

  /// Submissions per second for the i-th count: one rate for all, or one per count.
  func rate(_ index: Int) -> Double { rates.isEmpty ? 100 : rates[min(index, rates.count - 1)] }
}

struct Measurement {
  var mode: String
  var count: Int
  var run: Int
  var setupLag: Double
  var trackSeconds: Double
  var apiCalls: Int
  var ticks: Int
  var cpuSeconds: Double
  var peakRSS: Double
  var latencies: [Double]
  var failed: Int

  func percentile(_ p: Double) -> Double {
    guard !latencies.isEmpty else { return .nan }
    let sorted = latencies.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
  }
  var callsPerSecond: Double { Double(apiCalls) / trackSeconds }
  var callsPerDeployment: Double { Double(apiCalls) / Double(count) }
  var cpuPercent: Double { cpuSeconds / trackSeconds * 100 }
}

func simStats(_ baseURL: String) async throws -> Int {
  let (data, _) = try await URLSession.shared.data(from: URL(string: baseURL + "/_sim/stats")!)
  let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
  return object?["totalRequests"] as? Int ?? 0
}

func makeClient(_ baseURL: String) throws -> VRAClient {
  var logger = Logger(label: "bench.client")
  logger.logLevel = .error
  return try VRAClient(
    configuration: VRAClientConfiguration(
      endpoint: URL(string: baseURL)!, organization: "vsphere.local",
      authentication: .password(username: "admin", password: Secret("VMware1!"), domain: "vsphere.local"),
      logger: logger))
}

struct Submitted: Sendable {
  var index: Int
  var deploymentId: String
  var requestId: String
  var projectId: String
}

/// Submits every deployment of the workload at its planned offset from `start`; returns them in
/// index order and how late the last submission left (seconds behind plan, 0 when on time).
func submit(
  _ workload: Workload, client: VRAClient, store: SQLStateStore, run: RunID, start: Date, concurrency: Int
) async throws -> ([Submitted], Double) {
  let projects = try await client.projects().collect().compactMap(\.id).sorted()
  var blueprints: [String] = []
  for template in workload.templates {
    let blueprint = try await client.createBlueprint(
      Blueprint(name: template.name, content: template.content, projectId: projects[0], requestScopeOrg: true))
    blueprints.append(blueprint.id!)
  }
  return try await withThrowingTaskGroup(of: (Submitted, Double).self) { group in
    var submitted: [Submitted] = []
    var lag = 0.0
    var inFlight = 0
    for index in 0..<workload.count {
      if inFlight >= concurrency, let (item, late) = try await group.next() {
        submitted.append(item)
        lag = max(lag, late)
        inFlight -= 1
      }
      let at = start.addingTimeInterval(workload.submitAt(index))
      let wait = at.timeIntervalSinceNow
      if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
      let project = projects[workload.project(of: index)]
      let blueprint = blueprints[workload.template(of: index)]
      inFlight += 1
      group.addTask {
        let late = max(0, -at.timeIntervalSinceNow)
        let stage = "d\(index)"
        try await store.recordIntent(
          run: run, stage: stage, deploymentName: "bench-\(index)", projectId: project, attempt: 1)
        let answer = try await client.createBlueprintRequest(
          BlueprintRequest(blueprintId: blueprint, deploymentName: "bench-\(index)", projectId: project))
        try await store.recordSubmitted(
          run: run, stage: stage, blueprintRequestId: answer.id, requestId: answer.requestTrackerId,
          deploymentId: answer.deploymentId)
        return (
          Submitted(
            index: index, deploymentId: answer.deploymentId!, requestId: answer.requestTrackerId!, projectId: project),
          late
        )
      }
    }
    for try await (item, late) in group {
      submitted.append(item)
      lag = max(lag, late)
    }
    return (submitted.sorted { $0.index < $1.index }, lag)
  }
}

/// Writes a noticed completion to the state store, as the orchestrator does, and returns the
/// notice latency: vRA's `completedAt` to the moment the write returned.
func store(
  _ request: DeploymentRequest, of item: Submitted, in store: SQLStateStore, run: RunID
) async throws -> (Double, Bool) {
  let stage = "d\(item.index)"
  if request.status == .successful {
    try await store.recordStageResult(run: run, stage: stage, outputs: .object([:]), resources: .array([]))
  } else {
    try await store.recordStageFailure(
      run: run, stage: stage,
      error: RecordedError(errorClass: .deployment, message: request.details ?? "failed"))
  }
  let stored = Date()
  return (stored.timeIntervalSince(request.completedAt ?? request.updatedAt ?? stored), request.status != .successful)
}

func run(
  mode: String, workload: Workload, runNumber: Int, options: Options
) async throws -> Measurement {
  let (child, baseURL) = try SimulatorChild.spawn(projects: workload.projects, durations: workload.durations)
  defer { child.terminate() }
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-bench-\(UUID().uuidString)")
  defer { try? FileManager.default.removeItem(at: directory) }
  var storeLogger = Logger(label: "bench.state")
  storeLogger.logLevel = .error
  let stateStore = try await SQLStateStore.openSQLite(
    at: directory.appendingPathComponent("state.db").path, logger: storeLogger)
  let runId = RunID(rawValue: "bench\(runNumber)")
  _ = try await stateStore.createRun(
    id: runId, planName: "bench", planPath: "bench.yaml", planDigest: "-", options: .object([:]),
    stages: (0..<workload.count).map { "d\($0)" }, target: nil)
  let client = try makeClient(baseURL)
  _ = try await client.projects().collect()  // log in before the clock starts

  let setupStart = Date()
  let (deployments, lag) = try await submit(
    workload, client: client, store: stateStore, run: runId, start: setupStart, concurrency: options.concurrency)
  let trackingAt = setupStart.addingTimeInterval(workload.trackingStart)
  if trackingAt.timeIntervalSinceNow > 0 { try await Task.sleep(for: .seconds(trackingAt.timeIntervalSinceNow)) }

  let callsBefore = try await simStats(baseURL)
  ProcessUsage.resetPeak()
  let cpuBefore = ProcessUsage.cpuSeconds()
  let start = ContinuousClock.now
  var ticks = 0
  let results: [(Double, Bool)]
  if mode == "batched" {
    var logger = Logger(label: "bench.tracker")
    logger.logLevel = .error
    let configuration = TrackerConfiguration(
      minInterval: .milliseconds(Int(options.minInterval * 1000)), maxInterval: .seconds(options.interval),
      noticeTarget: .milliseconds(Int(options.noticeTarget * 1000)), logger: logger)
    (results, ticks) = try await DeploymentTracker.with(client: client, configuration: configuration) { tracker in
      let results = try await withThrowingTaskGroup(of: (Double, Bool).self) { group in
        for item in deployments {
          let types = options.typeHints ? workload.templates[workload.template(of: item.index)].types : []
          group.addTask {
            let result = try await tracker.waitForTerminal(
              deploymentId: item.deploymentId, projectId: item.projectId, requestId: item.requestId,
              resourceTypes: types)
            return try await store(result, of: item, in: stateStore, run: runId)
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      return (results, await tracker.statistics.ticks)
    }
  } else {
    let interval = options.interval
    results = try await withThrowingTaskGroup(of: (Double, Bool).self) { group in
      for item in deployments {
        let phase = workload.phase(of: item.index, interval: interval)
        group.addTask {
          try await Task.sleep(for: .seconds(phase))
          while true {
            if let answer = try? await client.request(id: item.requestId), answer.status?.isTerminal == true {
              return try await store(answer, of: item, in: stateStore, run: runId)
            }
            try await Task.sleep(for: .seconds(interval))
          }
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
  }
  let elapsed = (ContinuousClock.now - start).seconds
  let cpu = ProcessUsage.cpuSeconds() - cpuBefore
  let peak = ProcessUsage.peakRSSMegabytes()
  let calls = try await simStats(baseURL) - callsBefore - 1
  try await stateStore.close()
  return Measurement(
    mode: mode, count: workload.count, run: runNumber, setupLag: lag, trackSeconds: elapsed, apiCalls: calls,
    ticks: ticks, cpuSeconds: cpu, peakRSS: peak, latencies: results.map(\.0), failed: results.filter(\.1).count)
}

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

if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "simulator" {
  var durations: [String: Double] = [:]
  for argument in CommandLine.arguments.dropFirst(3) {
    let parts = argument.split(separator: "=")
    if parts.count == 2, let seconds = Double(parts[1]) { durations[String(parts[0])] = seconds }
  }
  try await SimulatorChild.serve(projects: Int(CommandLine.arguments[2]) ?? 10, durations: durations)
} else {
  let options = Options(Array(CommandLine.arguments.dropFirst()))
  emit(
    "TrackerBenchmark: \(options.projects) projects, interval \(format(options.interval, 1)) s, batched min "
      + "\(format(options.minInterval, 1)) s, notice target \(format(options.noticeTarget, 1)) s, "
      + "type hints \(options.typeHints ? "on" : "off"), \(options.runs) run(s) per size; "
      + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
  var summary: [String] = []
  for (countIndex, count) in options.counts.enumerated() {
    let workload = Workload(count: count, projects: options.projects, rate: options.rate(countIndex))
    emit(workload.description)
    var measured: [Measurement] = []
    for runNumber in 1...max(options.runs, 1) {
      for mode in options.modes {
        let m = try await run(mode: mode, workload: workload, runNumber: runNumber, options: options)
        measured.append(m)
        emit(
          "run \(runNumber) \(mode) N=\(count): calls \(m.apiCalls) (\(format(m.callsPerSecond, 1))/s, "
            + "\(format(m.callsPerDeployment, 3))/deployment), ticks \(m.ticks), notice p50 \(format(m.percentile(0.5))) s "
            + "p99 \(format(m.percentile(0.99))) s max \(format(m.percentile(1))) s, CPU \(format(m.cpuSeconds)) s "
            + "(\(format(m.cpuPercent, 1)) %), peak RSS \(format(m.peakRSS, 0)) MB, tracking \(format(m.trackSeconds, 1)) s, "
            + "setup lag \(format(m.setupLag, 2)) s, failed \(m.failed)")
      }
    }
    for mode in options.modes {
      let rows = measured.filter { $0.mode == mode }
      summary.append(
        "| \(count) | \(mode) | \(rows.count) | \(spread(rows.map { Double($0.apiCalls) }, 0)) | "
          + "\(spread(rows.map(\.callsPerSecond), 1)) | \(spread(rows.map(\.callsPerDeployment), 3)) | "
          + "\(spread(rows.map { $0.percentile(0.5) })) | \(spread(rows.map { $0.percentile(0.99) })) | "
          + "\(spread(rows.map(\.cpuPercent), 1)) | \(spread(rows.map(\.peakRSS), 0)) | "
          + "\(spread(rows.map(\.trackSeconds), 1)) |")
    }
    let batched = measured.filter { $0.mode == "batched" }
    let naive = measured.filter { $0.mode == "per-deployment" }
    if !batched.isEmpty, !naive.isEmpty {
      // Run by run: the two modes of one run tracked the same workload.
      let ratios = zip(batched, naive).map { $0.callsPerDeployment / $1.callsPerDeployment * 100 }
      summary.append(
        "| \(count) | batched / per-deployment | | | | **\(spread(ratios, 2)) %** of the calls per deployment | | | | | |"
      )
    }
    emit(summary.suffix(3).joined(separator: "\n"))
  }
  print(
    "\n| in flight | mode | runs | API calls | calls/s | calls per deployment | notice p50 s | notice p99 s | engine CPU % of a core | peak RSS MB | tracking s |"
  )
  print("|---|---|---|---|---|---|---|---|---|---|---|")
  for row in summary { print(row) }
}
