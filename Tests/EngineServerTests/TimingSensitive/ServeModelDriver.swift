import Foundation
import Logging
import NIOHTTP1
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import EngineServer

/// Applies one sequence of `ServeModelEvent`s to a real service (in-process, or the `vra-engine
/// serve` process) over real HTTP, against its own simulator (two orgs, faults on, duplicate
/// deployment names allowed so that a second deployment of a stage would show), and checks every
/// invariant against the model, the API, the state store and the simulator after every step.
///
/// Everything the model expects is derived from what it saw: an answer, or a status read before
/// and after a request. Nothing waits by sleeping: every wait polls a condition under a deadline.
actor ServeModelDriver {
  /// How the first cancel accepted for a run was answered: what the run must end as.
  enum CancelSeen: Sendable, Equatable {
    case none
    /// Answered `cancelled`: the run was queued and was cancelled at once. It never starts: no
    /// stage is ever submitted, and it stays cancelled (until a destroy).
    case queued
    /// Answered `pending` with the cancel recorded: the run had not started; it must end cancelled.
    case beforeStart
    /// Answered while the run was in progress: it ends cancelled, or as it would have ended when
    /// vRA finished first.
    case inFlight
    /// Answered with a final status: the run had just finished, as that.
    case afterEnd(String)
  }

  struct RunModel: Sendable {
    let id: String
    let tenant: ModelTenant
    let plan: PlanSpec
    let key: String?
    /// The event (1-based) that submitted it.
    let step: Int
    /// Statuses observed, consecutive repeats dropped.
    var statuses: [String] = []
    var firstFinal: String?
    var cancel = CancelSeen.none
    var destroyAccepted = false
    /// Stage submissions the store recorded (`stage.status` → `submitting`): intents come before the POST.
    var intents = 0
    var eventCursor: Int64?
    var status: String { statuses.last ?? "pending" }
  }

  struct KeyUse: Sendable {
    var key: String
    var run: String
    var plan: PlanSpec
  }

  static let finalStatuses: Set<String> = ["succeeded", "failed", "cancelled"]
  static let destroyChain: Set<String> = ["destroying", "destroyed", "destroy-failed"]
  static let settledStatuses: Set<String> = ["succeeded", "failed", "cancelled", "destroyed", "destroy-failed"]
  /// The service's settings for fast runs: tight polling of the simulator, cancel requests seen within 0.2 s.
  static let serviceEnvironment = [
    "VRA_ENGINE_POLLING_MIN": "50ms", "VRA_ENGINE_POLLING_MAX": "250ms", "VRA_ENGINE_LEASE_CHECK": "0.2",
  ]

  let sequence: ServeModelSequence
  let directory: URL
  let stats: ServeModelStats
  let logger: Logger

  private var violations: [String] = []
  private var runs: [String: RunModel] = [:]
  private var order: [String] = []
  private var keys: [ModelTenant: [KeyUse]] = [:]
  private var refusedKeys: [ModelTenant: [String]] = [:]
  private var keyCounter = 0
  private var quota = Quota.normal
  /// Under a squeezed quota: the runs that were active when this service started (it resumes
  /// them whatever the quota); nil otherwise.
  private var carried: Set<String>?
  private var step = 0
  private var next = 0
  private var http = APICaller(baseURL: "http://127.0.0.1:1", checksEachAnswer: false)
  private var simulator = APICaller(baseURL: "http://127.0.0.1:1", checksEachAnswer: false)
  private var simulatorTokens: [ModelTenant: String] = [:]
  private var store: SQLStateStore?

  init(sequence: ServeModelSequence, directory: URL, stats: ServeModelStats, logger: Logger) {
    self.sequence = sequence
    self.directory = directory
    self.stats = stats
    self.logger = logger
  }

  var statePath: String { directory.appendingPathComponent("state.db").path }
  var configPath: String { directory.appendingPathComponent("serve.yaml").path }

  /// Runs the sequence; the violations found.
  func execute() async -> [String] {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      let server = try await SimulatorServer.start(configuration: Self.simulatorConfiguration())
      simulator = APICaller(baseURL: server.baseURL, checksEachAnswer: false)
      do {
        for tenant in ModelTenant.allCases {
          let user = tenant.fixture
          simulatorTokens[tenant] = try await simulator.login(
            username: user.username, password: user.password, domain: "corp"
          ).access
        }
        try await phases(simulatorURL: server.baseURL)
      } catch {
        violate("the sequence stopped on an error: \(error)")
      }
      if let store { try? await store.close() }
      await server.stop()
    } catch {
      violate("could not start the simulator: \(error)")
    }
    try? FileManager.default.removeItem(at: directory)
    return violations
  }

  static func simulatorConfiguration() -> SimulatorConfiguration {
    var configuration = SimulatorConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.timeScale = 0.01
    // A stage deployed twice must show as two deployments, not as a 409 the engine reconciles.
    configuration.uniqueDeploymentNames = false
    configuration.faults.enabled = true
    configuration.faults.failResources = ["fail-*"]
    configuration.orgs = ModelTenant.allCases.map(\.fixture).map {
      OrgSeed(
        name: "\($0.name)-org", users: [UserSeed(username: $0.username, password: $0.password, domain: "corp")],
        projects: [$0.project])
    }
    return configuration
  }

  // MARK: Phases (one life of the service each)

  private func phases(simulatorURL: String) async throws {
    while true {
      try Data(
        ServeFixture.configurationText(
          statePath: statePath, simulatorURL: simulatorURL, maxConcurrentRuns: quota.maxConcurrentRuns,
          maxQueuedRuns: quota.maxQueuedRuns
        ).utf8
      ).write(to: URL(fileURLWithPath: configPath))
      // The service is down here: what it will resume whatever the quota.
      carried = quota == .squeezed ? try await activeRunsInStore() : nil
      let end = try await sequence.usesProcess ? processPhase() : inProcessPhase()
      switch end {
      case .end: return
      case .restart(let next): quota = next
      case .kill: break
      }
    }
  }

  enum PhaseEnd: Sendable, Equatable {
    case restart(Quota)
    case kill
    case end
  }

  private func inProcessPhase() async throws -> PhaseEnd {
    let configuration = try ServeConfiguration.load(path: configPath)
    return try await EngineService.with(configuration, environment: Self.serviceEnvironment, logger: logger) {
      running in
      try await self.events(baseURL: running.baseURL)
    }
  }

  private func processPhase() async throws -> PhaseEnd {
    var environment = Self.serviceEnvironment
    environment["VRA_ENGINE_LOG_LEVEL"] = "warning"
    let process = try await ServeProcess.start(config: configPath, environment: environment)
    let end: PhaseEnd
    do {
      end = try await events(baseURL: process.baseURL)
    } catch {
      _ = try? await process.stop(signal: SIGKILL)
      throw error
    }
    let status = try await process.stop(signal: end == .kill ? SIGKILL : SIGTERM)
    if end != .kill && status != 0 {
      violate("vra-engine serve exited \(status) after SIGTERM (0 expected):\n\(process.log.suffix(3000))")
    }
    return end
  }

  /// Applies events until one ends the phase (a restart, a kill) or the last one; after the last,
  /// waits for every run to finish and checks the final invariants.
  private func events(baseURL: String) async throws -> PhaseEnd {
    http = APICaller(baseURL: baseURL, checksEachAnswer: false)
    if store == nil { store = try await SQLStateStore.openSQLite(at: statePath) }
    try await checkInvariants()
    while next < sequence.events.count {
      let event = sequence.events[next]
      next += 1
      step = next
      stats.count(event: event.kind)
      switch event {
      case .submit(let tenant, let plan, let key): try await submit(tenant, plan, key)
      case .submitConcurrently(let tenant, let plan, let copies): try await submitConcurrently(tenant, plan, copies)
      case .submitThenCancel(let tenant, let plan): try await submitThenCancel(tenant, plan)
      case .submitRefused(let tenant, let refusal, let keyed): try await submitRefused(tenant, refusal, keyed: keyed)
      case .fanOutThenRetry(let tenant, let count): try await fanOutThenRetry(tenant, count)
      case .cancel(let pick, let wrong): try await cancel(pick: pick, wrongTenant: wrong)
      case .destroy(let pick, let wrong): try await destroy(pick: pick, wrongTenant: wrong)
      case .settle: _ = await waitUntilSettled(timeout: .seconds(8))
      case .restart(let quota): return .restart(quota)
      case .kill(let inFlight):
        if inFlight { await waitForStageInFlight() }
        return .kill
      }
      try await checkInvariants()
    }
    step = sequence.events.count + 1
    try await finish()
    return .end
  }

  // MARK: Submissions

  private func newKey() -> String {
    keyCounter += 1
    return "key-\(sequence.index)-\(keyCounter)"
  }

  private func post(
    _ tenant: ModelTenant, _ plan: PlanSpec, key: String?, project: String? = nil, planText: String? = nil
  ) async throws -> APIResponse {
    var headers: [(String, String)] = []
    if let key { headers.append(("Idempotency-Key", key)) }
    if let project { headers.append(("X-Project", project)) }
    return try await http.call(
      .POST, "/api/v1/runs", token: tenant.fixture.token,
      json: [
        "plan": .string(planText ?? plan.yaml(project: tenant.fixture.project)),
        "files": .object(plan.files.mapValues(JSONValue.string)),
      ], headers: headers)
  }

  private func submit(_ tenant: ModelTenant, _ plan: PlanSpec, _ choice: KeyChoice) async throws {
    switch choice {
    case .none:
      try await expectNewRun(tenant, plan, key: nil, answer: try await post(tenant, plan, key: nil))
    case .fresh:
      let key = newKey()
      try await expectNewRun(tenant, plan, key: key, answer: try await post(tenant, plan, key: key))
    case .reuse(let slot, let sameBody):
      guard let uses = keys[tenant], !uses.isEmpty else { return try await submit(tenant, plan, .fresh) }
      let use = uses[slot % uses.count]
      if sameBody {
        let answer = try await post(tenant, use.plan, key: use.key)
        expectReplay(of: use.run, answer: answer, what: "the same key and body again")
      } else {
        // Another body: compared as sent (a one-stage plan reads the same chained or not).
        let project = tenant.fixture.project
        let other = use.plan.yaml(project: project) == plan.yaml(project: project) ? plan.another : plan
        let answer = try await post(tenant, other, key: use.key)
        if answer.status == 422, problemType(answer) == "idempotency-key-reused" {
          stats.count(outcome: "submit 422 idempotency-key-reused")
        } else {
          violate(
            "key \(use.key) of run \(use.run) sent with a different body answered \(answer.status) "
              + "(422 idempotency-key-reused expected): \(body(answer))")
          adoptUnexpectedRun(tenant, other, key: nil, answer: answer)
        }
      }
    case .otherTenants(let slot):
      guard let uses = keys[tenant.other], !uses.isEmpty else { return try await submit(tenant, plan, .fresh) }
      let key = uses[slot % uses.count].key
      if keys[tenant]?.contains(where: { $0.key == key }) == true { return try await submit(tenant, plan, .fresh) }
      try await expectNewRun(tenant, plan, key: key, answer: try await post(tenant, plan, key: key))
    case .afterRefusal(let slot):
      guard let refused = refusedKeys[tenant], !refused.isEmpty else { return try await submit(tenant, plan, .fresh) }
      let key = refused[slot % refused.count]
      if keys[tenant]?.contains(where: { $0.key == key }) == true { return try await submit(tenant, plan, .fresh) }
      try await expectNewRun(tenant, plan, key: key, answer: try await post(tenant, plan, key: key))
    }
  }

  /// A submission nothing was recorded for yet: a new run (202), or 429 while the quota is squeezed.
  @discardableResult
  private func expectNewRun(
    _ tenant: ModelTenant, _ plan: PlanSpec, key: String?, answer: APIResponse
  ) async throws
    -> String?
  {
    switch answer.status {
    case 202:
      guard let id = answer.json["id"]?.stringValue else {
        violate("a 202 submission answer without an id: \(body(answer))")
        return nil
      }
      if answer.header("Idempotent-Replayed") != nil {
        violate("a submission with \(key.map { "new key \($0)" } ?? "no key") answered as a replay of run \(id)")
      }
      if runs[id] != nil {
        violate("a new submission answered the existing run \(id)")
        return id
      }
      if answer.json["tenant"]?.stringValue != tenant.fixture.name {
        violate("run \(id) submitted by \(tenant.fixture.name) answered with tenant \(answer.json["tenant"] ?? .null)")
      }
      if answer.json["status"]?.stringValue != "pending" {
        violate("run \(id) was answered \(answer.json["status"] ?? .null) on submission (pending expected)")
      }
      register(id, tenant, plan, key: key)
      stats.count(outcome: "submit 202 new run")
      return id
    case 429 where quota == .squeezed:
      if answer.header("Retry-After") == nil { violate("a 429 without Retry-After") }
      stats.count(outcome: "submit 429 quota")
      return nil
    default:
      violate(
        "a new submission answered \(answer.status) (202\(quota == .squeezed ? " or 429" : "") expected): \(body(answer))"
      )
      return nil
    }
  }

  private func register(_ id: String, _ tenant: ModelTenant, _ plan: PlanSpec, key: String?) {
    runs[id] = RunModel(id: id, tenant: tenant, plan: plan, key: key, step: step)
    order.append(id)
    if let key { keys[tenant, default: []].append(KeyUse(key: key, run: id, plan: plan)) }
  }

  /// A run the service made where the model expected none: kept in the model (the violation is
  /// recorded), so the checks after it do not report it again as unknown.
  private func adoptUnexpectedRun(_ tenant: ModelTenant, _ plan: PlanSpec, key: String?, answer: APIResponse) {
    if answer.status == 202, let id = answer.json["id"]?.stringValue, runs[id] == nil {
      register(id, tenant, plan, key: key)
    }
  }

  private func expectReplay(of run: String, answer: APIResponse, what: String) {
    if answer.status == 202, answer.json["id"]?.stringValue == run, answer.header("Idempotent-Replayed") == "true" {
      stats.count(outcome: "submit 202 replayed")
      return
    }
    violate(
      "\(what) answered \(answer.status) \(answer.json["id"] ?? .null) replayed=\(answer.header("Idempotent-Replayed") ?? "-") "
        + "(202 replaying run \(run) expected): \(body(answer))")
    if let tenant = runs[run]?.tenant, let plan = runs[run]?.plan {
      adoptUnexpectedRun(tenant, plan, key: nil, answer: answer)
    }
  }

  private func submitConcurrently(_ tenant: ModelTenant, _ plan: PlanSpec, _ copies: Int) async throws {
    let key = newKey()
    let answers = try await withThrowingTaskGroup(of: APIResponse.self) { group in
      for _ in 0..<copies { group.addTask { try await self.post(tenant, plan, key: key) } }
      var answers: [APIResponse] = []
      for try await answer in group { answers.append(answer) }
      return answers
    }
    let accepted = answers.filter { $0.status == 202 }
    let ids = Set(accepted.compactMap { $0.json["id"]?.stringValue })
    let unexpected = answers.filter { $0.status != 202 && !($0.status == 429 && quota == .squeezed) }
    for answer in unexpected {
      violate("one of \(copies) concurrent submissions with key \(key) answered \(answer.status): \(body(answer))")
    }
    if ids.count > 1 {
      violate("\(copies) concurrent submissions with one key \(key) made \(ids.count) runs: \(ids.sorted())")
    }
    let fresh = accepted.filter { $0.header("Idempotent-Replayed") == nil }.count
    if !accepted.isEmpty && fresh != 1 {
      violate("\(copies) concurrent submissions with key \(key): \(fresh) answers not marked as replays (1 expected)")
    }
    for (index, id) in ids.sorted().enumerated() where runs[id] == nil {
      register(id, tenant, plan, key: index == 0 ? key : nil)
    }
    stats.count(outcome: accepted.isEmpty ? "submit concurrently: all 429" : "submit concurrently: one run")
  }

  private func fanOutThenRetry(_ tenant: ModelTenant, _ count: Int) async throws {
    var first: (key: String, plan: PlanSpec, run: String)?
    for index in 0..<count {
      let plan = PlanSpec(stages: [.slow], chained: false, variant: 10 + index)
      let key = newKey()
      let id = try await expectNewRun(tenant, plan, key: key, answer: try await post(tenant, plan, key: key))
      if first == nil, let id { first = (key, plan, id) }
    }
    guard let first else { return }
    let answer = try await post(tenant, first.plan, key: first.key)
    expectReplay(of: first.run, answer: answer, what: "a retry of run \(first.run)'s submission with its key")
  }

  private func submitThenCancel(_ tenant: ModelTenant, _ plan: PlanSpec) async throws {
    let answer = try await post(tenant, plan, key: nil)
    guard let id = try await expectNewRun(tenant, plan, key: nil, answer: answer) else { return }
    let cancelled = try await http.call(.POST, "/api/v1/runs/\(id)/cancel", token: tenant.fixture.token)
    let after = try await reportStatus(id)
    judgeCancel(id, before: "pending", answer: cancelled, after: after)
  }

  private func submitRefused(_ tenant: ModelTenant, _ refusal: Refusal, keyed: Bool) async throws {
    let key = keyed ? newKey() : nil
    let plan = PlanSpec(stages: [.quick], chained: false, variant: 7)
    let answer: APIResponse
    let expected: (Int, String)
    switch refusal {
    case .forbiddenProject:
      answer = try await post(tenant, plan, key: key, project: tenant.other.fixture.project)
      expected = (403, "forbidden")
    case .invalidPlan:
      let text =
        plan.yaml(project: tenant.fixture.project).replacingOccurrences(
          of: "}\n", with: ", inputs: {x: \"${stages.nope.outputs.id}\"}}\n")
      answer = try await post(tenant, plan, key: key, planText: text)
      expected = (422, "invalid-plan")
    }
    if answer.status == expected.0 && problemType(answer) == expected.1 {
      stats.count(outcome: "refused \(expected.0) \(expected.1)")
    } else {
      violate("a refused submission answered \(answer.status) (\(expected.0) \(expected.1) expected): \(body(answer))")
      adoptUnexpectedRun(tenant, plan, key: nil, answer: answer)
    }
    if let key { refusedKeys[tenant, default: []].append(key) }
  }

  // MARK: Cancel and destroy

  private func pick(_ index: Int) -> String? { order.isEmpty ? nil : order[index % order.count] }

  private func cancel(pick index: Int, wrongTenant: Bool) async throws {
    guard let id = pick(index), let run = runs[id] else { return stats.count(outcome: "cancel: no run yet") }
    if wrongTenant {
      let answer = try await http.call(.POST, "/api/v1/runs/\(id)/cancel", token: run.tenant.other.fixture.token)
      expectNotFound(answer, "cancel of \(run.tenant)'s run \(id) with \(run.tenant.other)'s token")
      return
    }
    let before = try await reportStatus(id)
    let answer = try await http.call(.POST, "/api/v1/runs/\(id)/cancel", token: run.tenant.fixture.token)
    let after = try await reportStatus(id)
    judgeCancel(id, before: before, answer: answer, after: after)
  }

  /// A cancel's answer against the statuses read just before and just after it.
  private func judgeCancel(_ id: String, before: String?, answer: APIResponse, after: String?) {
    let finished = Self.finalStatuses.union(Self.destroyChain)
    switch answer.status {
    case 202:
      stats.count(outcome: "cancel 202")
      if let before, finished.contains(before) {
        violate("cancel of run \(id), which was \(before), answered 202 (409 expected)")
      }
      let answered = answer.json["status"]?.stringValue ?? ""
      guard runs[id]?.cancel == CancelSeen.none else { return }
      let seen: CancelSeen =
        switch answered {
        case "cancelled" where before == "pending": .queued
        case "pending": .beforeStart
        case _ where finished.contains(answered): .afterEnd(answered)
        default: .inFlight
        }
      runs[id]?.cancel = seen
      stats.count(outcome: "cancel accepted as \(answered)")
    case 409:
      stats.count(outcome: "cancel 409")
      if let after, !finished.contains(after) {
        violate("cancel of run \(id) answered 409 though it was \(before ?? "?") before and is \(after) after")
      }
    default:
      violate("cancel of run \(id) (\(before ?? "?")) answered \(answer.status): \(body(answer))")
    }
  }

  private func destroy(pick index: Int, wrongTenant: Bool) async throws {
    guard let id = pick(index), let run = runs[id] else { return stats.count(outcome: "destroy: no run yet") }
    if wrongTenant {
      let answer = try await http.call(.POST, "/api/v1/runs/\(id)/destroy", token: run.tenant.other.fixture.token)
      expectNotFound(answer, "destroy of \(run.tenant)'s run \(id) with \(run.tenant.other)'s token")
      return
    }
    let before = try await reportStatus(id)
    let answer = try await http.call(.POST, "/api/v1/runs/\(id)/destroy", token: run.tenant.fixture.token)
    // Accepted before the status after it is observed: that may be destroying already.
    if answer.status == 202 { runs[id]?.destroyAccepted = true }
    let after = try await reportStatus(id)
    let destroyable: Set<String> = ["succeeded", "failed", "cancelled", "destroy-failed"]
    switch answer.status {
    case 202:
      stats.count(outcome: "destroy 202")
      if before == "destroyed" { violate("destroy of the destroyed run \(id) answered 202 (409 expected)") }
      if let after, !Self.destroyChain.contains(after) {
        violate("destroy of run \(id) answered 202 but it is \(after) after")
      }
    case 409:
      stats.count(outcome: "destroy 409")
      if let before, destroyable.contains(before) {
        violate("destroy of run \(id), which was \(before), answered 409 (202 expected)")
      }
    default:
      violate("destroy of run \(id) (\(before ?? "?")) answered \(answer.status): \(body(answer))")
    }
  }

  // MARK: Reading

  /// The run's status as its report says, observed into the model.
  private func reportStatus(_ id: String) async throws -> String? {
    guard let run = runs[id] else { return nil }
    let answer = try await http.call(.GET, "/api/v1/runs/\(id)", token: run.tenant.fixture.token)
    guard answer.status == 200, let status = answer.json["run"]?["status"]?.stringValue else {
      violate("GET of run \(id) by its tenant answered \(answer.status): \(body(answer))")
      return nil
    }
    observe(id, status)
    return status
  }

  /// Records a status seen for a run; a final status never changes except through destroy.
  private func observe(_ id: String, _ status: String) {
    guard var run = runs[id] else { return }
    if run.statuses.last != status {
      if let first = run.firstFinal, status != first, !Self.destroyChain.contains(status) {
        violate("run \(id) was \(first), a final status, and is now \(status) (seen: \(run.statuses))")
      }
      if Self.destroyChain.contains(status) && !run.destroyAccepted {
        violate("run \(id) is \(status) though no destroy of it was accepted")
      }
      run.statuses.append(status)
    }
    if run.firstFinal == nil && Self.finalStatuses.contains(status) { run.firstFinal = status }
    runs[id] = run
  }

  private func listing(_ tenant: ModelTenant) async throws -> [JSONValue] {
    let answer = try await http.call(.GET, "/api/v1/runs?limit=200", token: tenant.fixture.token)
    guard answer.status == 200, let list = answer.json["runs"]?.arrayValue else {
      violate("listing \(tenant)'s runs answered \(answer.status): \(body(answer))")
      return []
    }
    return list
  }

  /// Names of the deployments in the tenant's org (with `deleted`, also those deleted).
  private func deployments(_ tenant: ModelTenant, deleted: Bool = false) async throws -> [String] {
    let answer = try await simulator.call(
      .GET, "/deployment/api/deployments?size=1000" + (deleted ? "&deleted=true" : ""),
      token: simulatorTokens[tenant])
    guard answer.status == 200, let content = answer.json["content"]?.arrayValue else {
      violate("the simulator's deployment list for \(tenant) answered \(answer.status)")
      return []
    }
    return content.compactMap { $0["name"]?.stringValue }
  }

  /// Counts the stage submissions the store recorded for every run (new events only); the total.
  private func refreshIntents() async throws -> Int {
    guard let store else { return 0 }
    var total = 0
    for id in order {
      guard var run = runs[id] else { continue }
      for event in try await store.events(of: RunID(rawValue: id), after: run.eventCursor) {
        run.eventCursor = event.sequence
        if event.kind == EventRecord.Kind.stageStatus, event.data?["to"]?.stringValue == "submitting" {
          run.intents += 1
        }
      }
      runs[id] = run
      total += run.intents
    }
    return total
  }

  /// The runs in progress (running, cancelling) in the store.
  private func activeRunsInStore() async throws -> Set<String> {
    guard let store else { return [] }
    var active = Set<String>()
    for id in order {
      if let run = try await store.run(RunID(rawValue: id)), [.running, .cancelling].contains(run.status) {
        active.insert(id)
      }
    }
    return active
  }

  /// The run's events as the store has them, one line each, for a violation's message.
  private func eventLog(_ id: String) async -> String {
    guard let store, let events = try? await store.events(of: RunID(rawValue: id), after: nil) else { return "" }
    let lines = events.suffix(60).map { event in
      "    \(event.sequence) \(event.kind)\(event.stage.map { " [\($0)]" } ?? "") \(event.message)"
    }
    return "\n  events of run \(id):\n" + lines.joined(separator: "\n")
  }

  // MARK: Invariants after every step

  private func checkInvariants() async throws {
    stats.countCheck()
    // The simulator first: what the store recorded only grows after.
    let simulatorStats = try await simulator.call(.GET, "/_sim/stats")
    let created = simulatorStats.json["deploymentsCreated"]?.intValue ?? 0
    let duplicates = simulatorStats.json["duplicateDeploymentNames"]?.intValue ?? 0
    let intents = try await refreshIntents()
    if created > intents {
      violate("the simulator created \(created) deployments, the store recorded only \(intents) stage submissions")
    }
    if duplicates > 0 { violate("the simulator has \(duplicates) duplicate deployment names") }

    for tenant in ModelTenant.allCases {
      var listed = Set<String>()
      for entry in try await listing(tenant) {
        guard let id = entry["id"]?.stringValue, let status = entry["status"]?.stringValue else { continue }
        listed.insert(id)
        guard let run = runs[id] else {
          violate("\(tenant) lists run \(id) (\(status)) that no accepted submission made: \(entry)")
          continue
        }
        if run.tenant != tenant { violate("\(tenant) lists run \(id) of tenant \(run.tenant)") }
        if entry["tenant"]?.stringValue != tenant.fixture.name {
          violate("\(tenant)'s listing shows run \(id) with tenant \(entry["tenant"] ?? .null)")
        }
        if entry["cancelRequested"]?.boolValue == true && run.cancel == .none {
          violate("run \(id) shows cancelRequested though no cancel of it was accepted")
        }
        observe(id, status)
      }
      let expected = Set(runs.values.filter { $0.tenant == tenant }.map(\.id))
      let missing = expected.subtracting(listed)
      if !missing.isEmpty { violate("\(tenant)'s accepted runs \(missing.sorted()) are missing from its listing") }

      var perName: [String: Int] = [:]
      for name in try await deployments(tenant) { perName[name, default: 0] += 1 }
      for (name, count) in perName {
        if count > 1 { violate("\(count) live deployments named \(name) in \(tenant)'s org") }
        guard let id = PlanSpec.run(ofDeployment: name), let run = runs[id], run.tenant == tenant else {
          violate("\(tenant)'s org has deployment \(name) of no run of \(tenant)")
          continue
        }
        if run.cancel == .queued { violate("run \(id), cancelled while queued, has the deployment \(name)") }
      }
    }
    for run in runs.values where run.cancel == .queued && run.intents > 0 {
      violate("run \(run.id), cancelled while queued, recorded \(run.intents) stage submission(s)")
    }
    // Another tenant's run is not found (one per step; every run at the end).
    if let id = pick(step), let run = runs[id] {
      let answer = try await http.call(.GET, "/api/v1/runs/\(id)", token: run.tenant.other.fixture.token)
      expectNotFound(answer, "GET of \(run.tenant)'s run \(id) by \(run.tenant.other)")
    }
    // A key maps to exactly its one run.
    if let store {
      for (tenant, uses) in keys {
        for use in uses {
          let found = try await store.submittedRun(tenant: tenant.fixture.name, idempotencyKey: use.key)
          if found?.0.id.rawValue != use.run {
            violate(
              "key \(use.key) of \(tenant) maps to \(found?.0.id.rawValue ?? "no run") in the store, not \(use.run)")
          }
        }
      }
    }
    if let carried {
      // Squeezed to one run at a time: a run starts only when none of its tenant's runs is running
      // (destroys are not runs: they go on whatever the quota).
      let executing: Set<String> = ["running", "cancelling"]
      for tenant in ModelTenant.allCases {
        let mine = runs.values.filter { $0.tenant == tenant && executing.contains($0.status) }
        let started = mine.filter { !carried.contains($0.id) }.map(\.id).sorted()
        let resumed = mine.filter { carried.contains($0.id) }.map(\.id).sorted()
        if started.count > 1 || (!started.isEmpty && !resumed.isEmpty) {
          violate(
            "with maxConcurrentRuns 1, \(tenant) has \(started) started and \(resumed) resumed (running at the "
              + "restart) running at once")
        }
      }
    }
  }

  private func expectNotFound(_ answer: APIResponse, _ what: String) {
    if answer.status == 404 && problemType(answer) == "not-found" {
      stats.count(outcome: "other tenant 404")
    } else {
      violate("\(what) answered \(answer.status) (404 not-found expected): \(body(answer))")
    }
  }

  // MARK: Waiting

  /// Polls until every run has finished; false at the deadline.
  private func waitUntilSettled(timeout: Duration) async -> Bool {
    let settled = try? await pollForValue(timeout: timeout, every: .milliseconds(50)) {
      @Sendable () async throws -> Bool? in
      try await self.allSettled() ? true : nil
    }
    return settled ?? false
  }

  private func allSettled() async throws -> Bool {
    for tenant in ModelTenant.allCases {
      for entry in try await listing(tenant) {
        if let id = entry["id"]?.stringValue, let status = entry["status"]?.stringValue { observe(id, status) }
      }
    }
    return runs.values.allSatisfy { Self.settledStatuses.contains($0.status) }
  }

  /// Polls (bounded) until some run has a stage vRA is working on, so a kill lands mid-flight.
  private func waitForStageInFlight() async {
    _ = try? await pollForValue(timeout: .seconds(5), every: .milliseconds(20)) {
      @Sendable () async throws -> Bool? in
      try await self.anyStageInFlight() ? true : nil
    }
  }

  private func anyStageInFlight() async throws -> Bool {
    guard let store else { return true }
    for id in order where !Self.settledStatuses.contains(runs[id]?.status ?? "") {
      if try await store.stages(of: RunID(rawValue: id)).contains(where: { $0.status.isInFlight }) { return true }
    }
    return false
  }

  // MARK: The end of a sequence

  private func finish() async throws {
    let settled = await waitUntilSettled(timeout: .seconds(60))
    try await checkInvariants()
    if !settled {
      let stuck = runs.values.filter { !Self.settledStatuses.contains($0.status) }.map { "\($0.id) \($0.status)" }
      violate("runs still unfinished 60 s after the last event, the service up: \(stuck.sorted())")
    }
    var everDeployed: [ModelTenant: [String]] = [:]
    var live: [ModelTenant: [String]] = [:]
    for tenant in ModelTenant.allCases {
      everDeployed[tenant] = try await deployments(tenant, deleted: true)
      live[tenant] = try await deployments(tenant)
    }
    for id in order {
      guard let run = runs[id], Self.settledStatuses.contains(run.status) else { continue }
      await checkOutcome(run)
      try await checkEventStream(run)
      if run.status == "destroyed", let names = live[run.tenant]?.filter({ PlanSpec.run(ofDeployment: $0) == id }),
        !names.isEmpty
      {
        violate("run \(id) is destroyed but left the deployments \(names)")
      }
      if run.cancel == .queued,
        let names = everDeployed[run.tenant]?.filter({ PlanSpec.run(ofDeployment: $0) == id }), !names.isEmpty
      {
        violate("run \(id), cancelled while queued, created the deployments \(names)")
      }
      // Not found for the other tenant, whatever it asks.
      let other = run.tenant.other.fixture.token
      for (method, path) in [
        (HTTPMethod.GET, "/api/v1/runs/\(id)"), (.GET, "/api/v1/runs/\(id)/events"),
        (.POST, "/api/v1/runs/\(id)/cancel"), (.POST, "/api/v1/runs/\(id)/destroy"),
      ] {
        expectNotFound(try await http.call(method, path, token: other), "\(method) \(path) by \(run.tenant.other)")
      }
    }
  }

  /// How the run ended, against what the model saw happen to it.
  private func checkOutcome(_ run: RunModel) async {
    let natural = run.plan.naturalEnd
    let expected: Set<String>
    let why: String
    if run.destroyAccepted {
      (expected, why) = (["destroyed"], "a destroy was accepted")
    } else {
      switch run.cancel {
      case .queued: (expected, why) = (["cancelled"], "it was cancelled while queued")
      case .beforeStart: (expected, why) = (["cancelled"], "a cancel was accepted before it started")
      case .inFlight: (expected, why) = (["cancelled", natural], "a cancel was accepted while it ran")
      case .afterEnd(let status): (expected, why) = ([status], "the cancel found it \(status)")
      case .none: (expected, why) = ([natural], "its plan \(run.plan) ends \(natural) and nothing stopped it")
      }
    }
    stats.count(outcome: "run ended \(run.status)")
    if !expected.contains(run.status) {
      violate(
        "run \(run.id) ended \(run.status), expected \(expected.sorted().joined(separator: " or ")): \(why)"
          + (await eventLog(run.id)))
    }
  }

  /// The run's whole event stream through the API: its `end` carries its status; its status
  /// changes chain without a gap and leave a final status only to be destroyed.
  private func checkEventStream(_ run: RunModel) async throws {
    let answer = try await http.call(.GET, "/api/v1/runs/\(run.id)/events", token: run.tenant.fixture.token)
    let events = ServerSentEvent.parse(String(decoding: answer.body, as: UTF8.self))
    guard answer.status == 200, let last = events.last else {
      return violate("the event stream of run \(run.id) answered \(answer.status) with \(events.count) events")
    }
    let endStatus = (try? JSONDecoder().decode(JSONValue.self, from: Data(last.data.utf8)))?["status"]?.stringValue
    if last.event != "end" || endStatus != run.status {
      violate("the event stream of run \(run.id) (\(run.status)) ends with \(last.event ?? "-") \(last.data)")
    }
    let ids = events.compactMap { $0.id.flatMap(Int64.init) }
    if ids != ids.sorted() || Set(ids).count != ids.count || ids.count != events.count - 1 {
      violate("the event ids of run \(run.id) are not one increasing sequence: \(ids)")
    }
    if events.first?.event != EventRecord.Kind.runCreated {
      violate("the event stream of run \(run.id) starts with \(events.first?.event ?? "-")")
    }
    var status = "pending"
    var history = [status]
    var submissions = 0
    for event in events.dropLast() {
      let data = (try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8)))?["data"]
      if event.event == EventRecord.Kind.stageStatus && data?["to"]?.stringValue == "submitting" { submissions += 1 }
      guard event.event == EventRecord.Kind.runStatus, let from = data?["from"]?.stringValue,
        let to = data?["to"]?.stringValue
      else { continue }
      if from != status { violate("run \(run.id) went \(from) → \(to) though its last status event left it \(status)") }
      if Self.finalStatuses.contains(from) || from == "destroyed" {
        if to != "destroying" { violate("run \(run.id) left the final status \(from) for \(to) (\(history))") }
      }
      if to == "destroying" && !run.destroyAccepted {
        violate("run \(run.id) went to destroying though no destroy was accepted")
      }
      status = to
      history.append(to)
    }
    if status != run.status { violate("run \(run.id)'s status events end at \(status), its report says \(run.status)") }
    if run.cancel == .queued && submissions > 0 {
      violate("run \(run.id), cancelled while queued, has \(submissions) stage submission event(s): \(history)")
    }
  }

  // MARK: Reporting

  private func violate(_ message: String) {
    let event = step >= 1 && step <= sequence.events.count ? " (\(sequence.events[step - 1]))" : ""
    let at = step == 0 ? "at the start" : step > sequence.events.count ? "at the end" : "after step \(step)\(event)"
    violations.append("\(at): \(message)")
    stats.countViolation()
  }

  private func problemType(_ answer: APIResponse) -> String? {
    answer.json["type"]?.stringValue.map { $0.replacingOccurrences(of: "urn:vra-engine:problem:", with: "") }
  }

  private func body(_ answer: APIResponse) -> String { String(decoding: answer.body.prefix(600), as: UTF8.self) }
}
