import Testing
import VRAClient

/// Every transition of `CredentialLifecycle`, driven with instants chosen by the test: nothing
/// here waits or reads a clock.
@Suite("Credential lifecycle state machine")
struct CredentialLifecycleTests {
  let a = TestCredential.token("a", at: t(0), lifetime: 100)  // refresh due at 80 s, expires at 100 s
  let b = TestCredential.token("b", at: t(80), lifetime: 100)

  /// A lifecycle holding `a`, obtained at t=0.
  func holdingA(_ configuration: TestLifecycle.Configuration = .accessToken) -> TestLifecycle {
    var lifecycle = TestLifecycle(configuration: configuration)
    _ = lifecycle.credentialNeeded(by: w(0), now: t(0))
    _ = lifecycle.refreshSucceeded(with: a, now: t(0))
    return lifecycle
  }

  @Test("first use: the caller waits for one acquisition, then the credential is handed out from the cache")
  func firstFetch() {
    var lifecycle = TestLifecycle(configuration: .accessToken)
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(0)) == .wait(startRefresh: .acquire))
    #expect(lifecycle.isRefreshing && lifecycle.waiters == [w(1)])
    #expect(lifecycle.refreshSucceeded(with: a, now: t(0)) == .resumeWaiters([w(1)], with: a, timer: .none))
    #expect(!lifecycle.isRefreshing && lifecycle.waiters.isEmpty)
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(10)) == .use(a))
    #expect(lifecycle.credentialNeeded(by: w(3), now: t(79.9)) == .use(a))
  }

  @Test("concurrent first callers share one refresh and all get its credential")
  func concurrentCallersShareOneRefresh() {
    var lifecycle = TestLifecycle(configuration: .accessToken)
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(0)) == .wait(startRefresh: .acquire))
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(0)) == .wait(startRefresh: nil))
    #expect(lifecycle.credentialNeeded(by: w(3), now: t(0.5)) == .wait(startRefresh: nil))
    #expect(
      lifecycle.refreshSucceeded(with: a, now: t(1)) == .resumeWaiters([w(1), w(2), w(3)], with: a, timer: .none))
  }

  @Test("refresh due: one background refresh while every caller keeps the current credential")
  func backgroundRefreshWhenDue() {
    var lifecycle = holdingA()
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(80)) == .useAndStartRefresh(a, .renewDue(a)))
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(85)) == .use(a), "no second refresh")
    #expect(lifecycle.credentialNeeded(by: w(3), now: t(99.9)) == .use(a))
    #expect(lifecycle.waiters.isEmpty)
    #expect(lifecycle.refreshSucceeded(with: b, now: t(90)) == .resumeWaiters([], with: b, timer: .none))
    #expect(lifecycle.credentialNeeded(by: w(4), now: t(90)) == .use(b))
  }

  @Test("a failed background refresh leaves the credential in use and is tried again only after the delay")
  func failedBackgroundRefreshBacksOff() {
    var lifecycle = holdingA()
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(80)) == .useAndStartRefresh(a, .renewDue(a)))
    #expect(lifecycle.refreshFailed(now: t(80.5)) == .failWaiters([], kept: a, timer: .none))
    #expect(lifecycle.backgroundRetryNotBefore == t(81.5))
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(81)) == .use(a), "within the 1 s retry delay")
    #expect(lifecycle.credentialNeeded(by: w(3), now: t(81.5)) == .useAndStartRefresh(a, .renewDue(a)))
    // A later success clears the delay for the next credential.
    _ = lifecycle.refreshSucceeded(with: b, now: t(82))
    #expect(lifecycle.backgroundRetryNotBefore == nil)
  }

  @Test("a Vault-style retry waits half of the remaining lifetime, never past expiry")
  func retryHalfwayToExpiry() {
    var lifecycle = holdingA(.vaultLease)
    #expect(lifecycle.renewalTimerFired(now: t(80)) == .startRefresh(.renewDue(a)))
    #expect(lifecycle.refreshFailed(now: t(80)) == .failWaiters([], kept: a, timer: .schedule(at: t(90))))
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(89.9)) == .use(a))
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(90)) == .useAndStartRefresh(a, .renewDue(a)))
    // 0.2 s before expiry: the 250 ms minimum would pass expiry, so the retry is at expiry.
    #expect(lifecycle.refreshFailed(now: t(99.8)) == .failWaiters([], kept: a, timer: .schedule(at: t(100))))
  }

  @Test("an expired credential makes callers wait, all for one refresh")
  func expiredCredentialMakesCallersWait() {
    var lifecycle = holdingA()
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(100)) == .wait(startRefresh: .renewExpired(a)))
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(100)) == .wait(startRefresh: nil))
    #expect(lifecycle.refreshSucceeded(with: b, now: t(101)) == .resumeWaiters([w(1), w(2)], with: b, timer: .none))
  }

  @Test("a credential that expires during a background refresh: callers wait for that refresh, no second one")
  func expiresWhileBackgroundRefreshRuns() {
    var lifecycle = holdingA()
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(80)) == .useAndStartRefresh(a, .renewDue(a)))
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(100)) == .wait(startRefresh: nil))
    #expect(lifecycle.refreshFailed(now: t(101)) == .failWaiters([w(2)], kept: nil, timer: .none))
    #expect(lifecycle.current == nil)
    #expect(lifecycle.credentialNeeded(by: w(3), now: t(101)) == .wait(startRefresh: .acquire))
  }

  @Test("a background refresh that fails after the credential expired keeps nothing: the next caller waits")
  func backgroundRefreshFailsAfterExpiry() {
    var lifecycle = holdingA()
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(80)) == .useAndStartRefresh(a, .renewDue(a)))
    #expect(lifecycle.refreshFailed(now: t(100)) == .failWaiters([], kept: nil, timer: .none))
    #expect(lifecycle.current == nil)
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(100)) == .wait(startRefresh: .acquire))
  }

  @Test("a refused credential is dropped: its holders and new callers wait for one replacement")
  func rejectedCredentialIsReplaced() {
    var lifecycle = holdingA()
    #expect(lifecycle.credentialRejected(a, by: w(1), now: t(10)) == .wait(startRefresh: .replaceRejected(a)))
    #expect(lifecycle.current == nil)
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(10)) == .wait(startRefresh: nil), "a is not handed out again")
    #expect(lifecycle.credentialRejected(a, by: w(3), now: t(10)) == .wait(startRefresh: nil))
    let c = TestCredential.token("c", at: t(11), lifetime: 100)
    #expect(
      lifecycle.refreshSucceeded(with: c, now: t(11)) == .resumeWaiters([w(1), w(2), w(3)], with: c, timer: .none))
    // A caller that sent the older `a` gets the newer `c`, with no refresh.
    #expect(lifecycle.credentialRejected(a, by: w(4), now: t(12)) == .use(c))
    #expect(!lifecycle.isRefreshing)
  }

  @Test("refused during a background refresh: the caller waits for that refresh")
  func rejectedDuringBackgroundRefresh() {
    var lifecycle = holdingA()
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(80)) == .useAndStartRefresh(a, .renewDue(a)))
    #expect(lifecycle.credentialRejected(a, by: w(2), now: t(81)) == .wait(startRefresh: nil))
    #expect(lifecycle.credentialNeeded(by: w(3), now: t(81)) == .wait(startRefresh: nil), "a was dropped")
    #expect(lifecycle.refreshSucceeded(with: b, now: t(82)) == .resumeWaiters([w(2), w(3)], with: b, timer: .none))
  }

  @Test("a cancelled waiter leaves alone; the refresh goes on and the others get its result")
  func waiterCancellation() {
    var lifecycle = TestLifecycle(configuration: .accessToken)
    _ = lifecycle.credentialNeeded(by: w(1), now: t(0))
    _ = lifecycle.credentialNeeded(by: w(2), now: t(0))
    #expect(lifecycle.waiterCancelled(w(1)) == .failWithCancellation)
    #expect(lifecycle.waiterCancelled(w(1)) == .none, "resumed once only")
    #expect(lifecycle.isRefreshing, "the refresh is not cancelled with its first caller")
    #expect(lifecycle.waiterCancelled(w(2)) == .failWithCancellation)
    #expect(lifecycle.isRefreshing, "not even when nobody waits any more")
    #expect(lifecycle.refreshSucceeded(with: a, now: t(1)) == .resumeWaiters([], with: a, timer: .none))
    #expect(lifecycle.waiterCancelled(w(3)) == .none, "a caller that never waited")
    #expect(lifecycle.credentialNeeded(by: w(4), now: t(2)) == .use(a))
  }

  @Test("a failed refresh is delivered to every waiter; the next caller starts a new one at once")
  func failureDeliveredToAllWaiters() {
    var lifecycle = TestLifecycle(configuration: .accessToken)
    _ = lifecycle.credentialNeeded(by: w(1), now: t(0))
    _ = lifecycle.credentialNeeded(by: w(2), now: t(0))
    _ = lifecycle.credentialRejected(a, by: w(3), now: t(0))
    #expect(lifecycle.refreshFailed(now: t(1)) == .failWaiters([w(1), w(2), w(3)], kept: nil, timer: .none))
    #expect(!lifecycle.isRefreshing && lifecycle.waiters.isEmpty)
    #expect(lifecycle.credentialNeeded(by: w(4), now: t(1)) == .wait(startRefresh: .acquire), "no retry delay")
  }

  @Test("a fixed token is never refreshed in the background; once expired it is fetched again")
  func fixedTokenIsNotRefreshedWhenDue() {
    var lifecycle = holdingA(.init(refreshesWhenDue: false, retryDelay: .seconds(1)))
    #expect(lifecycle.credentialNeeded(by: w(1), now: t(95)) == .use(a))
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(100)) == .wait(startRefresh: .renewExpired(a)))
  }

  @Test("Vault: the idle timer is armed at the renewal fraction of the TTL and re-armed after each renewal")
  func vaultRenewalScheduling() {
    var lifecycle = TestLifecycle(configuration: .vaultLease)
    let first = TestCredential.lease("v1", at: t(0), ttl: 60)
    _ = lifecycle.credentialNeeded(by: w(1), now: t(0))
    #expect(
      lifecycle.refreshSucceeded(with: first, now: t(0))
        == .resumeWaiters([w(1)], with: first, timer: .schedule(at: t(40))))
    #expect(lifecycle.renewalTimerFired(now: t(39)) == .schedule(at: t(40)), "early: armed again")
    #expect(lifecycle.renewalTimerFired(now: t(40)) == .startRefresh(.renewDue(first)))
    #expect(lifecycle.renewalTimerFired(now: t(40)) == .none, "a renewal is in flight")
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(41)) == .use(first), "holders keep the lease meanwhile")
    let renewed = TestCredential.lease("v1", at: t(40), ttl: 60)
    #expect(
      lifecycle.refreshSucceeded(with: renewed, now: t(41))
        == .resumeWaiters([], with: renewed, timer: .schedule(at: t(80))))
    #expect(lifecycle.stopRenewingWhileIdle() == .cancel)
    #expect(lifecycle.renewalTimerFired(now: t(80)) == .none, "stopped")
    #expect(
      lifecycle.credentialNeeded(by: w(3), now: t(80)) == .useAndStartRefresh(renewed, .renewDue(renewed)),
      "use still renews")
    #expect(lifecycle.refreshSucceeded(with: renewed, now: t(80)) == .resumeWaiters([], with: renewed, timer: .none))
  }

  @Test("Vault: a lease that is not renewable is used until it expires, then replaced (a new login)")
  func vaultNonRenewableLease() {
    var lifecycle = TestLifecycle(configuration: .vaultLease)
    let lease = TestCredential.lease("v1", at: t(0), ttl: 60, renewable: false)
    _ = lifecycle.credentialNeeded(by: w(1), now: t(0))
    #expect(lifecycle.refreshSucceeded(with: lease, now: t(0)) == .resumeWaiters([w(1)], with: lease, timer: .cancel))
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(59.9)) == .use(lease))
    #expect(lifecycle.renewalTimerFired(now: t(59.9)) == .none)
    #expect(lifecycle.credentialNeeded(by: w(3), now: t(60)) == .wait(startRefresh: .renewExpired(lease)))
    let next = TestCredential.lease("v2", at: t(60), ttl: 60, renewable: false)
    #expect(lifecycle.refreshSucceeded(with: next, now: t(61)) == .resumeWaiters([w(3)], with: next, timer: .cancel))
  }

  @Test("Vault: a lease with TTL 0 (a root token) is never renewed and never expires")
  func vaultLeaseWithoutExpiry() {
    var lifecycle = TestLifecycle(configuration: .vaultLease)
    let root = TestCredential.lease("root", at: t(0), ttl: 0)
    _ = lifecycle.credentialNeeded(by: w(1), now: t(0))
    #expect(lifecycle.refreshSucceeded(with: root, now: t(0)) == .resumeWaiters([w(1)], with: root, timer: .cancel))
    #expect(lifecycle.credentialNeeded(by: w(2), now: t(1_000_000)) == .use(root))
  }

  @Test("Vault: a timer that goes off after expiry (a sleeping machine) starts a replacement nobody waits for")
  func vaultTimerAfterExpiry() {
    var lifecycle = TestLifecycle(configuration: .vaultLease)
    let lease = TestCredential.lease("v1", at: t(0), ttl: 60)
    _ = lifecycle.credentialNeeded(by: w(1), now: t(0))
    _ = lifecycle.refreshSucceeded(with: lease, now: t(0))
    #expect(lifecycle.renewalTimerFired(now: t(70)) == .startRefresh(.renewExpired(lease)))
    #expect(lifecycle.current == nil)
    #expect(lifecycle.refreshFailed(now: t(71)) == .failWaiters([], kept: nil, timer: .cancel))
  }
}
