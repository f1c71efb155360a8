import TestSupport
import Testing

@testable import EngineServer

@Suite("Auth failure throttle")
struct AuthFailureThrottleTests {
  @Test("five failures are free; then each failed attempt waits 250 ms, doubling up to 5 s")
  func delaysDouble() async {
    let clock = ManualContinuousClock()
    let throttle = AuthFailureThrottle(now: { clock.now })
    var delays: [Duration] = []
    for _ in 0..<12 {
      delays.append(await throttle.recordFailure(from: "10.0.0.1"))
      clock.advance(by: .seconds(1))
    }
    #expect(
      delays == [
        .zero, .zero, .zero, .zero, .zero, .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2),
        .seconds(4), .seconds(5), .seconds(5),
      ])
    // Another client is not affected.
    #expect(await throttle.recordFailure(from: "10.0.0.2") == .zero)
  }

  @Test("a success resets the client")
  func successResets() async {
    let clock = ManualContinuousClock()
    let throttle = AuthFailureThrottle(now: { clock.now })
    for _ in 0..<7 { _ = await throttle.recordFailure(from: "10.0.0.1") }
    #expect(await throttle.recordFailure(from: "10.0.0.1") == .seconds(1))
    await throttle.recordSuccess(from: "10.0.0.1")
    #expect(await throttle.recordFailure(from: "10.0.0.1") == .zero)
  }

  @Test("failures older than the 60 s window no longer count")
  func window() async {
    let clock = ManualContinuousClock()
    let throttle = AuthFailureThrottle(now: { clock.now })
    for _ in 0..<5 { _ = await throttle.recordFailure(from: "10.0.0.1") }
    #expect(await throttle.recordFailure(from: "10.0.0.1") == .milliseconds(250))
    clock.advance(by: .seconds(59))
    #expect(await throttle.recordFailure(from: "10.0.0.1") == .milliseconds(500))
    clock.advance(by: .seconds(2))
    // The first six fell out of the window: this is the second failure within it.
    #expect(await throttle.recordFailure(from: "10.0.0.1") == .zero)
  }

  @Test("memory is bounded: old clients are evicted, and at most maxClients are remembered")
  func bounded() async {
    let clock = ManualContinuousClock()
    let throttle = AuthFailureThrottle(maxClients: 100, now: { clock.now })
    for index in 0..<100 { _ = await throttle.recordFailure(from: "10.0.0.\(index)") }
    #expect(await throttle.trackedClients == 100)
    clock.advance(by: .seconds(61))
    _ = await throttle.recordFailure(from: "10.0.1.1")
    #expect(await throttle.trackedClients == 1)
    for index in 0..<1000 {
      _ = await throttle.recordFailure(from: "10.1.\(index / 256).\(index % 256)")
      clock.advance(by: .milliseconds(1))
    }
    #expect(await throttle.trackedClients <= 100)
    // The most recent client is remembered, with its count.
    for _ in 0..<5 { _ = await throttle.recordFailure(from: "10.1.3.231") }
    #expect(await throttle.recordFailure(from: "10.1.3.231") == .milliseconds(500))
  }
}
