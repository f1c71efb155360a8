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

/// One noticed completion: when vRA completed it, when the tracker handed it over, when the
/// waiter had it, when the state store's write returned.
struct Noticed: Sendable {
  var index: Int
  var completedAt: Date
  var handedOverAt: Date
  var receivedAt: Date
  var storedAt: Date
  var failed: Bool
}

/// Writes a noticed completion to the state store, as the orchestrator does.
func store(
  _ request: DeploymentRequest, handedOverAt: Date, of item: Submitted, in store: SQLStateStore, run: RunID
) async throws -> Noticed {
  let received = Date()
  let stage = "d\(item.index)"
  if request.status == .successful {
    try await store.recordStageResult(run: run, stage: stage, outputs: .object([:]), resources: .array([]))
  } else {
    try await store.recordStageFailure(
      run: run, stage: stage,
      error: RecordedError(errorClass: .deployment, message: request.details ?? "failed"))
  }
  let stored = Date()
  return Noticed(
    index: item.index, completedAt: request.completedAt ?? request.updatedAt ?? stored, handedOverAt: handedOverAt,
    receivedAt: received, storedAt: stored, failed: request.status != .successful)
}

/// One mode of one run: a fresh simulator (a child process), a fresh SQLite store, the workload
/// submitted at its pace, then all of it tracked to its end.
func measure(_ order: MeasureOrder) async throws -> RunMeasurement {
  let options = order.options
  let workload = Workload(count: order.count, projects: options.projects, rate: order.rate)
  let (child, baseURL) = try SimulatorChild.spawn(projects: workload.projects, durations: workload.durations)
  defer { child.terminate() }
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-bench-\(UUID().uuidString)")
  defer { try? FileManager.default.removeItem(at: directory) }
  var storeLogger = Logger(label: "bench.state")
  storeLogger.logLevel = .error
  let stateStore = try await SQLStateStore.openSQLite(
    at: directory.appendingPathComponent("state.db").path, logger: storeLogger)
  let runId = RunID(rawValue: "bench\(order.run)")
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
  let loadAtStart = LoadAverage.oneMinute()
  ProcessUsage.resetPeak()
  let cpuBefore = ProcessUsage.cpuSeconds()
  let start = ContinuousClock.now
  var statistics = TrackerStatistics()
  let results: [Noticed]
  if order.mode == "batched" {
    var logger = Logger(label: "bench.tracker")
    logger.logLevel = .error
    let configuration = TrackerConfiguration(
      minInterval: .milliseconds(Int(options.minInterval * 1000)), maxInterval: .seconds(options.interval),
      noticeTarget: .milliseconds(Int(options.noticeTarget * 1000)), logger: logger)
    (results, statistics) = try await DeploymentTracker.with(client: client, configuration: configuration) {
      tracker in
      let results = try await withThrowingTaskGroup(of: Noticed.self) { group in
        for item in deployments {
          let types = options.typeHints ? workload.templates[workload.template(of: item.index)].types : []
          group.addTask {
            let last = try await tracker.lastUpdate(
              deploymentId: item.deploymentId, projectId: item.projectId, requestId: item.requestId,
              resourceTypes: types)
            guard last.kind == .terminal, let request = last.request else {
              throw BenchmarkError("deployment \(item.index) ended \(last.kind.rawValue)")
            }
            return try await store(request, handedOverAt: last.observedAt, of: item, in: stateStore, run: runId)
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      return (results, await tracker.statistics)
    }
  } else {
    let interval = options.interval
    results = try await withThrowingTaskGroup(of: Noticed.self) { group in
      for item in deployments {
        let phase = workload.phase(of: item.index, interval: interval)
        group.addTask {
          try await Task.sleep(for: .seconds(phase))
          while true {
            if let answer = try? await client.request(id: item.requestId), answer.status?.isTerminal == true {
              return try await store(answer, handedOverAt: Date(), of: item, in: stateStore, run: runId)
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
  let loadAtEnd = LoadAverage.oneMinute()
  let calls = try await simStats(baseURL) - callsBefore - 1
  try await stateStore.close()
  let trackingStarted = Date().addingTimeInterval(-elapsed)
  // What per-deployment polling costs for the completions this run actually had (a setup that fell
  // behind its plan moves them): deployment i read at its phase and every interval after it, from
  // the start of tracking to the first read at or after its completion.
  let naiveEquivalent = results.reduce(0) { total, noticed in
    let due =
      noticed.completedAt.timeIntervalSince(trackingStarted)
      - workload.phase(of: noticed.index, interval: options.interval)
    return total + (due > 0 ? Int((due / options.interval).rounded(.up)) : 0) + 1
  }
  let late = results.filter { $0.storedAt.timeIntervalSince($0.completedAt) > 2 }.map {
    $0.completedAt.timeIntervalSince(trackingStarted)
  }
  return RunMeasurement(
    mode: order.mode, count: workload.count, run: order.run, setupLag: lag, trackSeconds: elapsed, apiCalls: calls,
    listCalls: statistics.listCalls, recheckListCalls: statistics.recheckListCalls,
    lookups: statistics.deploymentLookups + statistics.requestLookups, ticks: statistics.ticks, cpuSeconds: cpu,
    peakRSS: peak, loadAtStart: loadAtStart, loadAtEnd: loadAtEnd,
    handedOver: results.map { $0.handedOverAt.timeIntervalSince($0.completedAt) },
    stored: results.map { $0.storedAt.timeIntervalSince($0.completedAt) },
    writes: results.map { $0.storedAt.timeIntervalSince($0.receivedAt) }, failed: results.filter(\.failed).count,
    late: late.count, lateFrom: late.min() ?? 0, lateTo: late.max() ?? 0, naiveEquivalent: naiveEquivalent)
}

/// Runs one measurement in a child process (this executable, `measure ORDER-JSON`) and reads its result.
func measureInChild(_ order: MeasureOrder) throws -> RunMeasurement {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
  process.arguments = ["measure", String(decoding: try JSONEncoder().encode(order), as: UTF8.self)]
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let output = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  let prefix = "result "
  guard
    let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last(where: { $0.hasPrefix(prefix) })
  else {
    throw BenchmarkError("measurement \(order.mode) run \(order.run) N=\(order.count) printed no result")
  }
  return try JSONDecoder().decode(RunMeasurement.self, from: Data(line.dropFirst(prefix.count).utf8))
}
