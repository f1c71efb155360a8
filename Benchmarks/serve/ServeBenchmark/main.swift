// `vra-engine serve` under load: N clients submitting small one-stage plans for a fixed time (or a
// fixed number of plans of one or more stages, to one or more replicas in turn), then proof that
// every accepted submission is exactly one run (none lost, none duplicated).
//
//   ServeBenchmark --server http://127.0.0.1:8088 --token-file bench.token --clients 50 --duration 60 \
//     [--project Development] [--simulator http://127.0.0.1:18091] [--drain-timeout 300]
//   ServeBenchmark --server URL1 --server URL2 --server URL3 --token-file bench.token --clients 10 \
//     --runs 60 --stages 4
//
// A client only: start `vra-engine simulator` and `vra-engine serve` first (Benchmarks/serve/run.sh
// does). Exit status: 0 when every accepted run is listed exactly once and finished, and every
// replayed key named its run; 1 otherwise; 2 for bad arguments.
import AsyncHTTPClient
import Foundation
import NIOCore

struct Options {
  /// Every `--server`: submissions go to each in turn; reads, the drain and the checks go to the first.
  var servers: [String] = []
  var server: String { servers.first ?? "" }
  /// `--runs`: this many submissions in all, instead of submitting for `duration`.
  var runs: Int?
  var stages = 1
  var token = ""
  var clients = 50
  var duration = 60.0
  var project = "Development"
  var simulator: String?
  var drainTimeout = 300.0
  var pollInterval = 0.1
  var replaySample = 20
  var requestTimeout = 30.0

  static let usage = """
    usage: ServeBenchmark --server URL [--server URL ...] (--token TOKEN | --token-file FILE) [--clients 50]
                          [--duration 60 | --runs N] [--stages 1] [--project Development] [--simulator URL]
                          [--drain-timeout 300] [--poll-interval 0.1] [--replay-sample 20] [--request-timeout 30]
    """

  init(_ arguments: [String]) throws {
    var iterator = arguments.makeIterator()
    func value(_ flag: String) throws -> String {
      guard let next = iterator.next() else { throw UsageError("\(flag) needs a value") }
      return next
    }
    func number(_ flag: String) throws -> Double {
      let text = try value(flag)
      guard let number = Double(text), number > 0 else {
        throw UsageError("\(flag): '\(text)' is not a positive number")
      }
      return number
    }
    while let argument = iterator.next() {
      switch argument {
      case "--server": servers.append(try value(argument).trimmingSuffix("/"))
      case "--token": token = try value(argument)
      case "--token-file":
        let path = try value(argument)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
          throw UsageError("cannot read \(path)")
        }
        token = text.trimmingCharacters(in: .whitespacesAndNewlines)
      case "--clients": clients = Int(try number(argument))
      case "--duration": duration = try number(argument)
      case "--runs": runs = Int(try number(argument))
      case "--stages": stages = Int(try number(argument))
      case "--project": project = try value(argument)
      case "--simulator": simulator = try value(argument).trimmingSuffix("/")
      case "--drain-timeout": drainTimeout = try number(argument)
      case "--poll-interval": pollInterval = try number(argument)
      case "--replay-sample": replaySample = Int(try number(argument))
      case "--request-timeout": requestTimeout = try number(argument)
      case "-h", "--help":
        say(Self.usage)
        exit(0)
      default: throw UsageError("unknown argument '\(argument)'")
      }
    }
    guard !servers.isEmpty else { throw UsageError("--server is required") }
    guard stages >= 1 else { throw UsageError("--stages must be at least 1") }
    if let runs { clients = max(1, min(clients, runs)) }
    guard !token.isEmpty else { throw UsageError("--token or --token-file is required") }
  }
}

struct UsageError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// A line on stdout, written at once (even into a pipe, the phases' lines show as they happen).
func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

extension String {
  func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

/// The load, the checks and the report: the exit status.
func benchmark(_ options: Options) async -> Int32 {
  var configuration = HTTPClient.Configuration()
  configuration.connectionPool = .init(
    idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: options.clients + 16)
  configuration.timeout.connect = .seconds(10)
  let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
  let api = ServeAPI(
    http: http, server: options.server, token: options.token,
    timeout: .milliseconds(Int64(options.requestTimeout * 1000))
  )
  let nonce = String(UInt32.random(in: 0...UInt32.max), radix: 36)
  let prefix = "bench-\(nonce)-"

  // The service answers and the token is good, before the clock starts.
  do {
    let probe = try await api.list(limit: 1)
    guard probe.status == 200 else {
      FileHandle.standardError.write(Data("error: GET /api/v1/runs answered \(probe.status): \(probe.excerpt)\n".utf8))
      return 1
    }
  } catch {
    FileHandle.standardError.write(Data("error: \(options.server) does not answer: \(error)\n".utf8))
    return 1
  }
  var simulatorBefore: SimulatorStats?
  if let simulator = options.simulator { simulatorBefore = await api.simulatorStats(simulator) }

  let amount = options.runs.map { "\($0) plans" } ?? "for \(format(options.duration, 0)) s"
  let targets =
    options.servers.count == 1
    ? options.server : "\(options.servers.count) servers in turn (\(options.servers.joined(separator: ", ")))"
  say(
    "ServeBenchmark: \(options.clients) clients, \(amount) of \(options.stages) stage(s) against \(targets), "
      + "project \(options.project), plans \(prefix)*")
  let start = ContinuousClock.now
  // With --runs the load ends when every plan is submitted, however long that takes.
  let deadline = start + .milliseconds(Int((options.runs == nil ? options.duration : 86_400) * 1000))
  let cpuAtStart = cpuSeconds()
  var tally = await withTaskGroup(of: Tally.self) { group in
    group.addTask {
      let all = await withTaskGroup(of: Tally.self) { clients in
        for index in 0..<options.clients {
          clients.addTask { await client(index, api: api, options: options, nonce: nonce, deadline: deadline) }
        }
        var all = Tally()
        for await one in clients { all.merge(one) }
        return all
      }
      loadDone.store(true, ordering: .relaxed)
      return all
    }
    group.addTask { await reader(api: api, interval: options.pollInterval, deadline: deadline) }
    var all = Tally()
    for await one in group { all.merge(one) }
    return all
  }
  let loadSeconds = (ContinuousClock.now - start).seconds
  let clientCPU = cpuSeconds() - cpuAtStart
  let acceptedDuringLoad = tally.accepted.count
  let ending =
    options.runs == nil
    ? "the last submission in flight at the deadline returned \(format(loadSeconds - options.duration, 2)) s after it"
    : "until the last of \(options.runs ?? 0) submissions was answered"
  say(
    "load: \(format(loadSeconds, 1)) s (\(ending)), \(acceptedDuringLoad) accepted; "
      + "this client used \(format(clientCPU / loadSeconds * 100, 0)) % of a core")

  // Submissions whose answer was lost: the same key again says whether a run exists.
  var resolvedLater = 0
  for submission in tally.unresolved {
    if let answer = await resubmit(submission, api: api, kind: Kind.resolve, tally: &tally), answer.status == 202,
      let run = answer.decode(RunSummary.self)
    {
      tally.accepted.append(Accepted(submission: submission, id: run.id, afterUnknownOutcome: true))
      resolvedLater += 1
    } else {
      tally.note("still unknown after the load: \(submission.key)")
    }
  }

  let drainStart = ContinuousClock.now
  let unfinished = await drain(api: api, prefix: prefix, timeout: options.drainTimeout, tally: &tally)
  let drainSeconds = (ContinuousClock.now - drainStart).seconds
  say("drain: \(format(drainSeconds, 1)) s until no run of this benchmark was unfinished")

  // A sample of keys sent again: the same run, marked replayed, and no new run.
  var replayFailures = 0
  let sample = tally.accepted.shuffled().prefix(options.replaySample)
  for accepted in sample {
    guard let answer = await resubmit(accepted.submission, api: api, kind: Kind.replay, tally: &tally) else {
      replayFailures += 1
      continue
    }
    let id = answer.decode(RunSummary.self)?.id
    if answer.status != 202 || id != accepted.id || answer.header("Idempotent-Replayed") != "true" {
      replayFailures += 1
      tally.note(
        "replay of \(accepted.submission.key): \(answer.status), run \(id ?? "none") (expected \(accepted.id)), "
          + "Idempotent-Replayed: \(answer.header("Idempotent-Replayed") ?? "absent")")
    }
  }

  // Every run of the tenant, page by page; ours are those whose plan name has this benchmark's prefix.
  let listing = await listAll(api: api, statuses: nil, kind: Kind.listPaging, tally: &tally)
  let ours = (listing ?? []).filter { $0.plan.hasPrefix(prefix) }
  let listingFailed = listing == nil

  var acceptedByPlan: [String: [Accepted]] = [:]
  for accepted in tally.accepted { acceptedByPlan[accepted.submission.planName, default: []].append(accepted) }
  var listedByID: [String: [RunSummary]] = [:]
  for run in ours { listedByID[run.id, default: []].append(run) }
  let acceptedIDs = Set(tally.accepted.map(\.id))

  // Lost: accepted, never listed. Duplicated: one submission (plan name) with more than one run, a run
  // listed twice, or two submissions answered with one run. Unexpected: a run for no accepted submission.
  let lost = tally.accepted.filter { listedByID[$0.id] == nil }
  let listedTwice = listedByID.values.filter { $0.count > 1 }.count
  let extraRuns = ours.filter { !acceptedIDs.contains($0.id) }
  let duplicateRuns = extraRuns.filter { acceptedByPlan[$0.plan] != nil }
  let unexpectedRuns = extraRuns.filter { acceptedByPlan[$0.plan] == nil }
  let sharedIDs = Dictionary(grouping: tally.accepted, by: \.id).values.filter { $0.count > 1 }.count
  let duplicated = duplicateRuns.count + listedTwice + sharedIDs
  for run in lost.prefix(5) { tally.note("lost: \(run.submission.key) → \(run.id) not listed") }
  for run in extraRuns.prefix(5) { tally.note("listed but never accepted: \(run.id) plan \(run.plan) \(run.status)") }

  let reports = await reportEach(tally.accepted.map(\.id), api: api, tally: &tally)
  let unreadable = reports.values.filter { $0 == nil }.count
  var finishedByStatus: [String: Int] = [:]
  for run in ours { finishedByStatus[run.status, default: 0] += 1 }
  let reportDisagrees = ours.filter { run in
    if case .some(.some(let status)) = reports[run.id] { status != run.status } else { false }
  }.count

  var simulatorAfter: SimulatorStats?
  if let simulator = options.simulator { simulatorAfter = await api.simulatorStats(simulator) }
  try? await http.shutdown()

  var submissions = Table(["Submissions", "count", "per second of load"])
  let perSecond = { (count: Int) in format(Double(count) / loadSeconds, 1) }
  submissions.add(["accepted (202)", "\(acceptedDuringLoad)", perSecond(acceptedDuringLoad)])
  submissions.add([
    "throttled (429, waited Retry-After)", "\(tally.count(Kind.submit, "429"))",
    perSecond(tally.count(Kind.submit, "429")),
  ])
  for (answer, count) in (tally.answers[Kind.submit] ?? [:]).sorted(by: { $0.key < $1.key })
  where answer != "202" && answer != "429" {
    submissions.add(["other answer: \(answer)", "\(count)", perSecond(count)])
  }
  submissions.add(["given up after a 429 (its wait ran past the end)", "\(tally.abandonedAfter429)", ""])
  submissions.add(["refused for good (4xx other than 429)", "\(tally.refused)", ""])
  submissions.add(["outcome unknown, resolved after the load (202)", "\(resolvedLater)", ""])
  say("")
  say(submissions.render())

  var latency = Table(["Request", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "non-2xx"])
  for kind in [
    Kind.submit, Kind.reportUnderLoad, Kind.listUnderLoad, Kind.resolve, Kind.listDrain, Kind.replay,
    Kind.listPaging, Kind.reportAfter,
  ] {
    guard let values = tally.latencies[kind], !values.isEmpty else { continue }
    let p = Percentiles(values)
    let failures = (tally.answers[kind] ?? [:]).filter { !$0.key.hasPrefix("2") }.values.reduce(0, +)
    latency.add(
      [kind, "\(values.count)", format(p(0.5)), format(p(0.9)), format(p(0.99)), format(p.max), "\(failures)"])
  }
  say("")
  say(latency.render())

  var runs = Table(["Runs", "count"])
  runs.add(["accepted submissions", "\(tally.accepted.count)"])
  runs.add(["listed by GET /api/v1/runs (this benchmark's)", "\(ours.count)"])
  for (status, count) in finishedByStatus.sorted(by: { $0.key < $1.key }) { runs.add(["  \(status)", "\(count)"]) }
  runs.add(["unfinished at the drain deadline", "\(unfinished.count)"])
  runs.add(["**lost** (accepted, not listed)", "\(lost.count)"])
  runs.add(["**duplicated** (extra run of a submission, listed twice, or one run for two keys)", "\(duplicated)"])
  runs.add(["runs for no accepted submission", "\(unexpectedRuns.count)"])
  runs.add(["replayed keys answering another run, or not marked replayed", "\(replayFailures) of \(sample.count)"])
  runs.add(["202 marked replayed for a new key", "\(tally.unexpectedReplays)"])
  runs.add(["reports not readable / disagreeing with the listing", "\(unreadable) / \(reportDisagrees)"])
  say("")
  say(runs.render())

  if let before = simulatorBefore, let after = simulatorAfter {
    let deployments = after.deploymentsCreated - before.deploymentsCreated
    let requests = after.totalRequests - before.totalRequests
    say("")
    say(
      "simulator: \(deployments) deployments created for \(tally.accepted.count) accepted runs "
        + "of \(options.stages) stage(s); "
        + "\(requests) requests (\(format(Double(requests) / Double(max(1, tally.accepted.count)), 1)) per run), "
        + "\(after.passwordLogins - before.passwordLogins) password logins, "
        + "\(after.tokenRefreshes - before.tokenRefreshes) token refreshes, "
        + "\(after.duplicateDeploymentNames) duplicate deployment names")
    var routes: [(String, Int)] = []
    for (route, statuses) in after.requests {
      let count = statuses.values.reduce(0, +) - (before.requests[route]?.values.reduce(0, +) ?? 0)
      if count > 0 { routes.append((route, count)) }
    }
    for (route, count) in routes.sorted(by: { $0.1 > $1.1 }).prefix(8) {
      say("  \(count)\t\(format(Double(count) / Double(max(1, tally.accepted.count)), 2))/run\t\(route)")
    }
  }

  if !tally.notes.isEmpty {
    say("")
    say("notes (first \(tally.notes.count)):")
    for line in tally.notes { say("  " + line) }
  }

  let failed =
    !lost.isEmpty || duplicated > 0 || !unexpectedRuns.isEmpty || replayFailures > 0 || !unfinished.isEmpty
    || tally.unexpectedReplays > 0 || listingFailed || unreadable > 0
  say("")
  say(
    failed ? "RESULT: FAILED (see the runs table)" : "RESULT: every accepted submission is exactly one finished run")
  return failed ? 1 : 0
}

do {
  exit(await benchmark(try Options(Array(CommandLine.arguments.dropFirst()))))
} catch {
  FileHandle.standardError.write(Data("error: \(error)\n\(Options.usage)\n".utf8))
  exit(2)
}
