import Testing

@testable import Engine

extension TimingSensitive {
  @Suite("Doorbell")
  struct DoorbellTests {
    @Test("a doorbell wait ends early when shortened, and at once when its task is cancelled")
    func doorbell() async {
      let doorbell = Doorbell()
      let start = ContinuousClock.now
      let waiter = Task { await doorbell.wait(until: .now + .seconds(30)) }
      // Shorten repeatedly until the waiter has registered its deadline and returns.
      // (A short sleep, not a bare yield: a busy loop would hold one of the pool's two threads.)
      let shortener = Task {
        while !Task.isCancelled {
          doorbell.shorten(to: .now)
          try? await Task.sleep(for: .milliseconds(5))
        }
      }
      await waiter.value
      shortener.cancel()
      #expect(ContinuousClock.now - start < .seconds(5))
      let cancelled = Task { await doorbell.wait(until: .now + .seconds(30)) }
      cancelled.cancel()
      await cancelled.value
      #expect(ContinuousClock.now - start < .seconds(5))
    }
  }
}
