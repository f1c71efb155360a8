// Batched tracking vs per-deployment polling against the vRA simulator (run in a child process).
//
//   swift build -c release --product TrackerBenchmark --scratch-path .build-release
//   .build-release/release/TrackerBenchmark [--counts 1000,5000,10000] [--projects 10] [--interval 10]
//
// For each N: a fresh simulator, N deployments created through the API over the projects (one
// resource that stays in flight until every deployment exists), then all of them tracked to the
// end, first by the batched DeploymentTracker, then (fresh simulator, same workload) by one
// GET /deployment/api/requests/{id} per deployment per interval.
import Engine
import Foundation
import Logging
import VRAClient
import VRAModels

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

struct Options {
  var counts = [1000, 5000, 10000]
  var projects = 10
  var interval = 10.0
  var minInterval = 0.5
  var concurrency = 16

  init(_ arguments: [String]) {
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
      switch argument {
      case "--counts": counts = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
      case "--projects": projects = Int(iterator.next() ?? "") ?? projects
      case "--interval": interval = Double(iterator.next() ?? "") ?? interval
      case "--min-interval": minInterval = Double(iterator.next() ?? "") ?? minInterval
      case "--concurrency": concurrency = Int(iterator.next() ?? "") ?? concurrency
      default: break
      }
    }
  }
}

struct Measurement {
  var mode: String
  var count: Int
  var setupSeconds: Double
  var trackSeconds: Double
  var apiCalls: Int
  var ticks: Int
  var cpuSeconds: Double
  var peakRSS: Double
  var latencies: [Double]

  func percentile(_ p: Double) -> Double {
    guard !latencies.isEmpty else { return .nan }
    let sorted = latencies.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
  }
  var callsPerSecond: Double { Double(apiCalls) / trackSeconds }
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

/// Creates `count` deployments round-robin over the projects; returns (deploymentId, requestId, projectId).
func createDeployments(
  _ client: VRAClient, count: Int, concurrency: Int
) async throws -> [(String, String, String)] {
  let projects = try await client.projects().collect().compactMap(\.id).sorted()
  let blueprint = try await client.createBlueprint(
    Blueprint(
      name: "bench", content: "formatVersion: 1\nresources:\n  vm:\n    type: Bench.Slow\n    properties: {}\n",
      projectId: projects[0], requestScopeOrg: true))
  let blueprintId = blueprint.id!
  return try await withThrowingTaskGroup(of: (String, String, String).self) { group in
    var created: [(String, String, String)] = []
    var next = 0
    func add() {
      let index = next
      next += 1
      let project = projects[index % projects.count]
      group.addTask {
        let answer = try await client.createBlueprintRequest(
          BlueprintRequest(blueprintId: blueprintId, deploymentName: "bench-\(index)", projectId: project))
        return (answer.deploymentId!, answer.requestTrackerId!, project)
      }
    }
    while next < min(concurrency, count) { add() }
    while let item = try await group.next() {
      created.append(item)
      if next < count { add() }
    }
    return created
  }
}

func run(mode: String, count: Int, options: Options, slowSeconds: Double) async throws -> Measurement {
  let (child, baseURL) = try SimulatorChild.spawn(projects: options.projects, slowSeconds: slowSeconds)
  defer { child.terminate() }
  let client = try makeClient(baseURL)
  let setupStart = ContinuousClock.now
  let deployments = try await createDeployments(client, count: count, concurrency: options.concurrency)
  let setup = (ContinuousClock.now - setupStart).seconds
  let callsBefore = try await simStats(baseURL)
  ProcessUsage.resetPeak()
  let cpuBefore = ProcessUsage.cpuSeconds()
  let start = ContinuousClock.now
  var ticks = 0
  let latencies: [Double]
  if mode == "batched" {
    var logger = Logger(label: "bench.tracker")
    logger.logLevel = .error
    let tracker = DeploymentTracker(
      client: client,
      configuration: TrackerConfiguration(
        minInterval: .milliseconds(Int(options.minInterval * 1000)), maxInterval: .seconds(options.interval),
        logger: logger))
    latencies = try await withThrowingTaskGroup(of: Double.self) { group in
      for (deployment, request, project) in deployments {
        group.addTask {
          let result = try await tracker.waitForTerminal(
            deploymentId: deployment, projectId: project, requestId: request)
          return Date().timeIntervalSince(result.completedAt ?? result.updatedAt ?? Date())
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    ticks = await tracker.statistics.ticks
  } else {
    let interval = options.interval
    latencies = try await withThrowingTaskGroup(of: Double.self) { group in
      for (_, request, _) in deployments {
        group.addTask {
          try await Task.sleep(for: .seconds(Double.random(in: 0..<interval)))
          while true {
            if let answer = try? await client.request(id: request), answer.status?.isTerminal == true {
              return Date().timeIntervalSince(answer.completedAt ?? answer.updatedAt ?? Date())
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
  return Measurement(
    mode: mode, count: count, setupSeconds: setup, trackSeconds: elapsed, apiCalls: calls, ticks: ticks,
    cpuSeconds: cpu, peakRSS: peak, latencies: latencies)
}

extension Duration {
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "simulator" {
  try await SimulatorChild.serve(
    projects: Int(CommandLine.arguments[2]) ?? 10, slowSeconds: Double(CommandLine.arguments[3]) ?? 60)
} else {
  let options = Options(Array(CommandLine.arguments.dropFirst()))
  var rate = 150.0  // deployments created per second; re-measured by each run
  var rows: [String] = []
  for count in options.counts {
    // Long enough that every deployment is still in flight when the last one is created.
    let slowSeconds = Double(count) / rate * 1.5 + 10
    let batched = try await run(mode: "batched", count: count, options: options, slowSeconds: slowSeconds)
    rate = Double(count) / batched.setupSeconds
    let polling = try await run(
      mode: "per-deployment", count: count, options: options, slowSeconds: Double(count) / rate * 1.5 + 10)
    for m in [batched, polling] {
      let row =
        "| \(m.count) | \(m.mode) | \(m.apiCalls) | \(format(m.callsPerSecond, 1)) | "
        + "\(m.mode == "batched" ? format(Double(m.apiCalls) / Double(max(m.ticks, 1)), 2) : String(m.count)) | "
        + "\(format(m.cpuSeconds)) (\(format(m.cpuPercent, 1)) %) | \(format(m.peakRSS, 0)) | "
        + "\(format(m.percentile(0.5))) | \(format(m.percentile(0.99))) | \(format(m.trackSeconds, 1)) |"
      rows.append(row)
      emit(row)
    }
    let ratioRow =
      "| \(count) | **ratio** | **\(format(Double(polling.apiCalls) / Double(max(batched.apiCalls, 1)), 0))× fewer calls** | | | "
      + "\(format(polling.cpuSeconds / max(batched.cpuSeconds, 0.001), 1))× less CPU | "
      + "\(format(polling.peakRSS / max(batched.peakRSS, 1), 1))× | "
      + "\(format(polling.percentile(0.5) / max(batched.percentile(0.5), 0.001), 1))× | "
      + "\(format(polling.percentile(0.99) / max(batched.percentile(0.99), 0.001), 1))× | |"
    rows.append(ratioRow)
    emit(ratioRow)
    emit("setup: \(count) deployments created in \(format(batched.setupSeconds, 1)) s (\(format(rate, 0))/s)")
  }
  print(
    "\n| in flight | mode | API calls | calls/s | calls per tick | engine CPU s | peak RSS MB | notice p50 s | notice p99 s | tracking s |"
  )
  print("|---|---|---|---|---|---|---|---|---|---|")
  for row in rows { print(row) }
}
