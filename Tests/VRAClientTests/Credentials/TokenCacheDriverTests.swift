import Credentials
import Foundation
import TestSupport
import Testing

@testable import VRAClient

/// `TokenCache` as a driver of `CredentialLifecycle`: real tasks, continuations and cancellation,
/// with a manual clock and a provider whose fetches the test answers one at a time.
@Suite("Token cache driver")
struct TokenCacheDriverTests {
  struct FetchFailed: Error, Equatable {}

  let clock = ManualContinuousClock()
  let provider = ScriptedProvider()
  var cache: TokenCache { get async { await provider.cache(clock: clock) } }

  @Test("concurrent first callers share one fetch; a cancelled caller stops at once, the fetch goes on for the others")
  func sharedFetchAndCancellation() async throws {
    let cache = await self.cache
    let first = Task { try await cache.token(using: NoEndpoint()) }
    let second = Task { try await cache.token(using: NoEndpoint()) }
    let third = Task { try await cache.token(using: NoEndpoint()) }
    _ = try await pollForValue {
      let (fetches, waiting) = (await provider.pendingFetches, await cache.waitingCount)
      return fetches == 1 && waiting == 3 ? true : nil
    }
    first.cancel()
    // It ends while the fetch is still unanswered: nothing but the cancellation could end it.
    await #expect(throws: CancellationError.self) { try await first.value }
    #expect(await provider.pendingFetches == 1)
    #expect(await cache.isRefreshing)
    try await answer(.success(("t1", 100)))
    #expect(try await second.value.value.exposed == "t1")
    #expect(try await third.value.value.exposed == "t1")
    #expect(await cache.refreshCount == 1)
    #expect(await provider.cancelledFetches == 0, "the fetch was not cancelled with its first caller")
  }

  @Test("refresh due at 80 % on the clock: callers keep the token while one background fetch runs")
  func backgroundRefreshOnTheClock() async throws {
    let cache = try await cacheHolding("t1")
    clock.advance(by: .seconds(79))
    #expect(try await cache.token(using: NoEndpoint()).value.exposed == "t1")
    #expect(await cache.refreshCount == 1, "not due yet")
    clock.advance(by: .seconds(1))
    for _ in 0..<5 {
      // Answered at once although the fetch is unanswered: nobody waits for a due token.
      #expect(try await cache.token(using: NoEndpoint()).value.exposed == "t1")
    }
    #expect(await cache.refreshCount == 2)
    try await answer(.success(("t2", 100)))
    _ = try await pollForValue { await cache.isRefreshing ? nil : true }
    #expect(try await cache.token(using: NoEndpoint()).value.exposed == "t2")
    #expect(await cache.refreshCount == 2)
  }

  @Test("a failed background fetch is tried again only after one second of the clock")
  func failedBackgroundRefreshWaitsOnTheClock() async throws {
    let cache = try await cacheHolding("t1")
    clock.advance(by: .seconds(80))
    #expect(try await cache.token(using: NoEndpoint()).value.exposed == "t1")
    try await answer(.failure(FetchFailed()))
    _ = try await pollForValue { await cache.isRefreshing ? nil : true }
    clock.advance(by: .milliseconds(999))
    #expect(try await cache.token(using: NoEndpoint()).value.exposed == "t1")
    #expect(await cache.refreshCount == 2, "within the retry delay")
    #expect(await !cache.isRefreshing)
    clock.advance(by: .milliseconds(1))
    #expect(try await cache.token(using: NoEndpoint()).value.exposed == "t1")
    #expect(await cache.refreshCount == 3)
    #expect(await cache.isRefreshing)
  }

  @Test("an expired token makes callers wait; a refused one is replaced once for all its holders")
  func expiredAndRefused() async throws {
    let cache = try await cacheHolding("t1")
    clock.advance(by: .seconds(100))
    let waiting = Task { try await cache.token(using: NoEndpoint()) }
    _ = try await pollForValue { await cache.waitingCount == 1 ? true : nil }
    try await answer(.success(("t2", 100)))
    let t2 = try await waiting.value
    #expect(t2.value.exposed == "t2")

    let holders = (0..<3).map { _ in Task { try await cache.replace(rejected: t2, using: NoEndpoint()) } }
    _ = try await pollForValue { await cache.waitingCount == 3 ? true : nil }
    try await answer(.success(("t3", 100)))
    for holder in holders { #expect(try await holder.value.value.exposed == "t3") }
    // A caller that sent the older t2 now gets t3 without a fetch.
    #expect(try await cache.replace(rejected: t2, using: NoEndpoint()).value.exposed == "t3")
    #expect(await cache.refreshCount == 3)
  }

  @Test("a failed fetch reaches every waiting caller")
  func failureReachesEveryWaiter() async throws {
    let cache = await self.cache
    let callers = (0..<3).map { _ in Task { try await cache.token(using: NoEndpoint()) } }
    _ = try await pollForValue { await cache.waitingCount == 3 ? true : nil }
    try await answer(.failure(FetchFailed()))
    for caller in callers { await #expect(throws: FetchFailed.self) { try await caller.value } }
  }

  /// Answers the next fetch once the provider has been asked (the fetch runs in a task of its own).
  func answer(_ outcome: ScriptedProvider.Outcome) async throws {
    _ = try await pollForValue { await provider.pendingFetches > 0 ? true : nil }
    await provider.answer(outcome)
  }

  /// A cache whose first fetch brought `name` (a 100 s token) at the clock's current time.
  func cacheHolding(_ name: String) async throws -> TokenCache {
    let cache = await self.cache
    let first = Task { try await cache.token(using: NoEndpoint()) }
    try await answer(.success((name, 100)))
    #expect(try await first.value.value.exposed == name)
    return cache
  }
}

/// A token provider whose fetches wait until the test answers them, in order.
actor ScriptedProvider: TokenProvider {
  typealias Outcome = Result<(name: String, lifetime: Int), any Error>

  nonisolated var principal: String { "scripted" }
  nonisolated var canRefresh: Bool { true }
  private var pending: [CheckedContinuation<Outcome, Never>] = []
  private var made: TokenCache?
  private(set) var cancelledFetches = 0

  var pendingFetches: Int { pending.count }

  func cache(clock: ManualContinuousClock) -> TokenCache {
    if let made { return made }
    let cache = TokenCache(provider: self, clock: CredentialClock(clock))
    made = cache
    return cache
  }

  func fetchToken(via endpoint: any TokenEndpoint, clock: CredentialClock) async throws -> AccessToken {
    let outcome = await withCheckedContinuation { pending.append($0) }
    if Task.isCancelled { cancelledFetches += 1 }
    let (name, lifetime) = try outcome.get()
    return AccessToken(value: Secret(name), expiresIn: lifetime, receivedAt: clock.now)
  }

  func answer(_ outcome: Outcome) {
    pending.removeFirst().resume(returning: outcome)
  }
}

/// The scripted provider sends nothing.
struct NoEndpoint: TokenEndpoint {
  struct Unused: Error {}

  func postJSON<Body: Encodable & Sendable, Answer: Decodable & Sendable>(
    _ path: String, query: [(String, String?)], body: Body, as answer: Answer.Type, base: URL?
  ) async throws -> Answer { throw Unused() }

  func postForm<Answer: Decodable & Sendable>(
    _ path: String, form: [(String, Secret)], as answer: Answer.Type, base: URL?
  ) async throws -> Answer { throw Unused() }
}
