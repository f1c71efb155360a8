import Foundation
import HeapModule
import VRAModels

/// All simulated vRA data of every org, and the clock that moves requests along.
///
/// Requests do not run on timers: each one gets its whole timeline when created
/// (`ScheduledStep`s), and `advance(to:)` applies every step whose time has come
/// before any call reads or writes state. That keeps 10,000 in-flight deployments
/// cheap, makes behaviour independent of scheduling jitter, and lets `--state`
/// resume a timeline after a restart.
actor SimulatorState {
  var configuration: SimulatorConfiguration
  var orgs: [String: OrgRecord] = [:]
  var users: [UserRecord] = []
  var projects: [String: ProjectRecord] = [:]
  var blueprints: [String: BlueprintRecord] = [:]
  var blueprintRequests: [String: BlueprintRequestRecord] = [:]
  var deployments: [String: DeploymentRecord] = [:]
  var requests: [String: RequestRecord] = [:]
  /// Next step time of every request still moving, earliest first.
  var timeline = Heap<TimelineEntry>()
  var random = SystemRandomNumberGenerator()
  /// What-if requests (`plan: true`) not FINISHED yet; `advance(to:)` moves them.
  var pendingPlans: Set<String> = []
  /// Provisionings of `faults.failResources` that failed so far (for `faults.failResourcesTimes`).
  var configuredResourceFailures = 0
  /// Approvals asked for by requests that matched a policy (`/_sim/approvals`), by id.
  var approvals: [String: ApprovalRecord] = [:]
  /// The approval policies in force: the configured ones, or those `PUT /_sim/approval-policies` set.
  var approvalPolicies: [ApprovalPolicy]
  /// Whether `approvalPolicies` were set at runtime (then `--state` keeps them across restarts).
  var approvalPoliciesOverridden = false
  /// Where machines' `healthUrl`s point: set by the server once it knows its port (nil before, and
  /// for a state used without a server: then machines get no `healthUrl`).
  var appURLs: AppURLs?
  /// Bumped on every change; the persister saves when it moves.
  private(set) var revision = 0

  struct TimelineEntry: Comparable, Sendable {
    var at: Date
    var requestId: String
    static func < (lhs: Self, rhs: Self) -> Bool { lhs.at < rhs.at }
  }

  init(configuration: SimulatorConfiguration) {
    self.configuration = configuration
    approvalPolicies = configuration.approvals
    let seed = Self.seed(configuration, now: Date())
    (orgs, users, projects) = (seed.orgs, seed.users, seed.projects)
  }

  func markChanged() { revision &+= 1 }

  /// Creates the configured orgs, users and projects (the defaults: `vsphere.local`,
  /// `admin@vsphere.local` / `VMware1!`, project `Development`).
  static func seed(
    _ configuration: SimulatorConfiguration, now: Date
  ) -> (
    orgs: [String: OrgRecord], users: [UserRecord], projects: [String: ProjectRecord]
  ) {
    var orgs: [String: OrgRecord] = [:]
    var users: [UserRecord] = []
    var projects: [String: ProjectRecord] = [:]
    for org in configuration.orgs {
      let orgId = org.id ?? StableID.uuid(from: "org:\(org.name)")
      orgs[orgId] = OrgRecord(id: orgId, name: org.name)
      for user in org.users {
        users.append(
          UserRecord(
            username: user.username, password: user.password, domain: user.domain, orgId: orgId,
            principal: user.principal))
      }
      for projectName in org.projects {
        let id = StableID.uuid(from: "project:\(orgId):\(projectName)")
        projects[id] = ProjectRecord(
          id: id, orgId: orgId, name: projectName, description: "Seeded by the simulator",
          administrators: org.users.map { Principal(email: $0.principal) }, createdAt: now, updatedAt: now)
      }
    }
    return (orgs, users, projects)
  }

  /// Forgets everything and seeds again (`POST /_sim/reset`).
  func reset() {
    let seed = Self.seed(configuration, now: Date())
    (orgs, users, projects) = (seed.orgs, seed.users, seed.projects)
    blueprints = [:]
    blueprintRequests = [:]
    deployments = [:]
    requests = [:]
    timeline = Heap()
    pendingPlans = []
    configuredResourceFailures = 0
    approvals = [:]
    approvalPolicies = configuration.approvals
    approvalPoliciesOverridden = false
    markChanged()
  }

  func updateFaults(_ faults: FaultSettings) {
    configuration.faults = faults
  }

  // MARK: - Users

  func authenticate(username: String, password: String, domain: String?) -> UserRecord? {
    users.first { user in
      let nameMatches = user.username == username || user.principal == username
      let domainMatches = domain.map { $0.isEmpty || $0 == user.domain } ?? true
      return nameMatches && domainMatches && user.password == password
    }
  }

  func orgName(_ orgId: String) -> String? { orgs[orgId]?.name }

  // MARK: - Clock

  /// Applies every scheduled step due at or before `now`.
  func advance(to now: Date = Date()) {
    while let next = timeline.min, next.at <= now {
      _ = timeline.popMin()
      guard var request = requests[next.requestId], let due = request.nextStepTime, due == next.at else {
        continue  // stale entry: the request was cancelled or rescheduled
      }
      while request.nextStep < request.steps.count, request.steps[request.nextStep].at <= now {
        let step = request.steps[request.nextStep]
        request.nextStep += 1
        apply(step, to: &request)
      }
      requests[request.id] = request
      if let time = request.nextStepTime { timeline.insert(TimelineEntry(at: time, requestId: request.id)) }
      markChanged()
    }
    if !pendingPlans.isEmpty { settlePlans(at: now) }
  }

  func schedule(_ request: RequestRecord) {
    requests[request.id] = request
    if let time = request.nextStepTime { timeline.insert(TimelineEntry(at: time, requestId: request.id)) }
    markChanged()
  }

  /// Rebuilds the timeline after loading persisted state.
  func rebuildTimeline() {
    timeline = Heap(
      requests.values.compactMap { request in
        request.nextStepTime.map { TimelineEntry(at: $0, requestId: request.id) }
      })
  }

  // MARK: - Lookups scoped to the caller's org

  func project(_ idOrName: String, org: String) -> ProjectRecord? {
    if let project = projects[idOrName], project.orgId == org { return project }
    return projects.values.first { $0.orgId == org && $0.name == idOrName }
  }

  func liveDeploymentCount() -> Int { deployments.values.filter { !$0.deleted }.count }

  func duplicateDeploymentNameCount() -> Int {
    var seen: [String: Int] = [:]
    for deployment in deployments.values where !deployment.deleted {
      seen["\(deployment.orgId)\u{0}\(deployment.name)", default: 0] += 1
    }
    return seen.values.filter { $0 > 1 }.reduce(0) { $0 + $1 - 1 }
  }
}

/// Deterministic UUIDs for seeded objects, so a restart without `--state` still
/// gives the same org and project ids.
enum StableID {
  static func uuid(from text: String) -> String {
    // FNV-1a, two passes with different offsets, formatted as a UUID (version 5 shape).
    func fnv(_ seed: UInt64) -> UInt64 {
      var hash = seed
      for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
      }
      return hash
    }
    let a = fnv(0xcbf2_9ce4_8422_2325)
    let b = fnv(0x8422_2325_cbf2_9ce4)
    let hex = String(format: "%016llx%016llx", a, b)
    let chars = Array(hex)
    func part(_ from: Int, _ to: Int) -> String { String(chars[from..<to]) }
    return "\(part(0, 8))-\(part(8, 12))-5\(part(13, 16))-a\(part(17, 20))-\(part(20, 32))"
  }

  static func random() -> String { UUID().uuidString.lowercased() }
}
