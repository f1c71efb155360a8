import Foundation
import Testing
import VRAClient

/// Random event sequences against `CredentialLifecycle`, with a model of what its driver would
/// have (refreshes started, waiters suspended, the armed timer) and the invariants checked after
/// every step. Time only moves forward; fetches succeed with fresh credentials or fail.
///
/// Replay: the seed is printed; `CREDENTIAL_SEED=S CREDENTIAL_ONLY=I swift test --filter
/// CredentialLifecycleModel` runs sequence I of that seed alone and prints its steps.
@Suite("Credential lifecycle, model-based")
struct CredentialLifecycleModelTests {
  @Test(arguments: ["accessToken", "vaultLease"])
  func randomEventSequencesKeepTheInvariants(_ configurationName: String) {
    let configuration: TestLifecycle.Configuration = configurationName == "vaultLease" ? .vaultLease : .accessToken
    let environment = ProcessInfo.processInfo.environment
    let seed = environment["CREDENTIAL_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0..<1_000_000_000)
    let only = environment["CREDENTIAL_ONLY"].flatMap(Int.init)
    let indices = only.map { [$0] } ?? Array(0..<600)
    print("CredentialLifecycleModel (\(configurationName)): seed \(seed) (replay with CREDENTIAL_SEED=\(seed))")
    var steps = 0
    var reached: Set<String> = []
    for index in indices {
      // Each sequence's own seed is a hash of (seed, index): neighbouring states of one SplitMix
      // stream would give shifted copies of one sequence.
      var hash = SeededGenerator(state: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
      var run = ModelRun(configuration: configuration, seed: hash.next())
      defer { reached.formUnion(run.reached) }
      for _ in 0..<100 {
        run.step()
        steps += 1
        if !run.violations.isEmpty { break }
      }
      if only != nil { print(run.log.joined(separator: "\n")) }
      if !run.violations.isEmpty {
        Issue.record(
          """
          seed \(seed) sequence \(index) (\(configurationName)): \(run.violations.joined(separator: "; "))
          \(run.log.suffix(12).joined(separator: "\n"))
          """)
        return
      }
    }
    #expect(steps > 0)
    // The sequences got everywhere that matters (else the invariants were checked on too little).
    var expected: Set<String> = [
      "first acquisition", "background refresh", "background refresh failed", "refresh failed with waiters",
      "expired: callers wait", "refused: replaced", "refused, a newer one handed out", "waiter cancelled",
      "expired during a background refresh",
    ]
    if configuration.renewsWhileIdle { expected.insert("timer started a refresh") }
    if only == nil { #expect(expected.subtracting(reached).isEmpty, "never reached: \(expected.subtracting(reached))") }
  }
}

/// SplitMix64: a small seeded generator, so a failing sequence can be run again.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// One sequence: the machine, the driver's side of it as a model, and the invariants.
struct ModelRun {
  var lifecycle: TestLifecycle
  var random: SeededGenerator
  var now = t(0)
  var log: [String] = []
  var violations: [String] = []

  // The driver, as the actions describe it.
  var refreshInFlight = false
  var waiting: Set<Waiter> = []
  var nextWaiter: UInt64 = 0
  var timer: TestInstant?
  /// Credentials handed out to callers, which they may later report as refused.
  var handedOut: [TestCredential] = []
  var rejected: Set<String> = []
  var issued = 0
  /// Situations this sequence got into (the test checks that all sequences together reach each).
  var reached: Set<String> = []

  init(configuration: TestLifecycle.Configuration, seed: UInt64) {
    lifecycle = TestLifecycle(configuration: configuration)
    random = SeededGenerator(state: seed)
  }

  mutating func step() {
    switch Int.random(in: 0..<100, using: &random) {
    case 0..<25: advanceTime()
    case 25..<50: need()
    case 50..<55: reject()
    case 55..<75: complete()
    case 75..<88: cancel()
    default: fireTimer()
    }
    checkInvariants()
  }

  // MARK: - Events

  mutating func advanceTime() {
    let seconds = [0.1, 0.5, 1, 5, 20, 60].randomElement(using: &random)!
    now = now.advanced(by: .seconds(seconds))
    log.append("\(now): time +\(seconds)s")
  }

  mutating func need() {
    let waiter = newWaiter()
    let action = lifecycle.credentialNeeded(by: waiter, now: now)
    log.append("\(now): \(waiter) needs → \(action)")
    handle(action, waiter: waiter)
  }

  mutating func reject() {
    guard let credential = handedOut.randomElement(using: &random) else { return need() }
    rejected.insert(credential.name)
    let waiter = newWaiter()
    let action = lifecycle.credentialRejected(credential, by: waiter, now: now)
    if case .use(let newer) = action, newer != credential { reached.insert("refused, a newer one handed out") }
    log.append("\(now): \(waiter) had \(credential.name) refused → \(action)")
    handle(action, waiter: waiter)
  }

  mutating func complete() {
    guard refreshInFlight else { return advanceTime() }
    refreshInFlight = false
    if let current = lifecycle.current, isExpired(current) { reached.insert("expired during a background refresh") }
    let action: TestLifecycle.CompletionAction
    if Int.random(in: 0..<3, using: &random) != 0 {
      issued += 1
      let lifetime = [1.0, 10, 60, 300].randomElement(using: &random)!
      let credential =
        lifecycle.configuration.renewsWhileIdle
        ? TestCredential.lease(
          "c\(issued)", at: now, ttl: Int.random(in: 0..<8, using: &random) == 0 ? 0 : lifetime,
          renewable: Int.random(in: 0..<4, using: &random) != 0)
        : TestCredential.token("c\(issued)", at: now, lifetime: lifetime)
      action = lifecycle.refreshSucceeded(with: credential, now: now)
      log.append("\(now): refresh brings \(credential) → \(action)")
    } else {
      action = lifecycle.refreshFailed(now: now)
      log.append("\(now): refresh fails → \(action)")
    }
    switch action {
    case .resumeWaiters(let ids, let credential, let timer):
      resume(ids)
      for _ in ids { handOut(credential, fresh: true) }
      apply(timer)
    case .failWaiters(let ids, let kept, let timer):
      if kept != nil { reached.insert("background refresh failed") }
      if !ids.isEmpty { reached.insert("refresh failed with waiters") }
      resume(ids)
      if let kept, isExpired(kept) { violate("kept \(kept.name), which has expired") }
      apply(timer)
    }
  }

  mutating func cancel() {
    let target: Waiter
    // Mostly a waiting caller; sometimes one that was resumed already or never waited.
    if let waiter = waiting.randomElement(using: &random), Int.random(in: 0..<4, using: &random) != 0 {
      target = waiter
    } else {
      target = Waiter(UInt64.random(in: 0...nextWaiter, using: &random))
    }
    let action = lifecycle.waiterCancelled(target)
    log.append("\(now): \(target) cancelled → \(action)")
    switch action {
    case .failWithCancellation:
      reached.insert("waiter cancelled")
      if waiting.remove(target) == nil { violate("\(target) failed with cancellation, but it was not waiting") }
    case .none:
      if waiting.contains(target) { violate("\(target) is waiting but its cancellation did nothing") }
    }
  }

  mutating func fireTimer() {
    guard let instant = timer else { return advanceTime() }
    // The timer goes off at its instant, or later when the test has already moved past it.
    if now < instant { now = instant }
    timer = nil
    let action = lifecycle.renewalTimerFired(now: now)
    log.append("\(now): timer → \(action)")
    switch action {
    case .none: break
    case .startRefresh(let refresh):
      reached.insert("timer started a refresh")
      startRefresh(refresh, background: true)
    case .schedule(let at): apply(.schedule(at: at))
    }
  }

  // MARK: - Actions

  mutating func handle(_ action: TestLifecycle.RequestAction, waiter: Waiter) {
    switch action {
    case .use(let credential):
      handOut(credential, fresh: false)
    case .useAndStartRefresh(let credential, let refresh):
      handOut(credential, fresh: false)
      if case .renewDue(let due) = refresh {
        if due != credential { violate("a background refresh of \(due.name) while handing out \(credential.name)") }
        if let at = due.refreshDueAt, now < at { violate("background refresh of \(due.name) before it was due") }
      } else {
        violate("\(refresh) started while the caller got a credential")
      }
      startRefresh(refresh, background: true)
    case .wait(let refresh):
      waiting.insert(waiter)
      if let refresh { startRefresh(refresh, background: false) }
    }
  }

  mutating func startRefresh(_ refresh: TestLifecycle.Refresh, background: Bool) {
    switch refresh {
    case .acquire: reached.insert("first acquisition")
    case .renewDue: reached.insert("background refresh")
    case .renewExpired: reached.insert("expired: callers wait")
    case .replaceRejected: reached.insert("refused: replaced")
    }
    if refreshInFlight { violate("a second refresh started (\(refresh)) while one was in flight") }
    refreshInFlight = true
  }

  mutating func resume(_ ids: [Waiter]) {
    let resumed = Set(ids)
    if resumed.count != ids.count { violate("a waiter resumed twice in \(ids)") }
    if resumed != waiting { violate("resumed \(ids.sorted { $0.rawValue < $1.rawValue }) but \(waiting) were waiting") }
    waiting.subtract(resumed)
  }

  mutating func apply(_ timer: TestLifecycle.TimerAction) {
    switch timer {
    case .none: break
    case .cancel: self.timer = nil
    case .schedule(let at):
      if !lifecycle.configuration.renewsWhileIdle { violate("a timer armed for an access token") }
      self.timer = at
    }
  }

  mutating func handOut(_ credential: TestCredential, fresh: Bool) {
    if isExpired(credential) { violate("handed out \(credential.name), expired at \(now)") }
    if !fresh, rejected.contains(credential.name) { violate("handed out \(credential.name) after it was refused") }
    handedOut.append(credential)
    if handedOut.count > 20 { handedOut.removeFirst() }
  }

  // MARK: - Invariants

  mutating func checkInvariants() {
    if lifecycle.isRefreshing != refreshInFlight {
      violate("the machine says refreshing=\(lifecycle.isRefreshing), its driver started/ended \(refreshInFlight)")
    }
    if !refreshInFlight, !waiting.isEmpty { violate("\(waiting) wait with no refresh in flight") }
    if Set(lifecycle.waiters) != waiting {
      violate("the machine's waiters \(lifecycle.waiters) ≠ the driver's \(waiting)")
    }
    if lifecycle.configuration.renewsWhileIdle, !refreshInFlight, let current = lifecycle.current,
      current.refreshDueAt != nil, timer == nil
    {
      violate("idle with renewable \(current.name) and no timer armed: it would lapse")
    }
  }

  mutating func newWaiter() -> Waiter {
    nextWaiter += 1
    return Waiter(nextWaiter)
  }

  func isExpired(_ credential: TestCredential) -> Bool { credential.expiresAt.map { now >= $0 } ?? false }

  mutating func violate(_ message: String) {
    violations.append("\(now): \(message)")
  }
}
