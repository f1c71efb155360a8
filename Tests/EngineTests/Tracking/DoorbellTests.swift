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

    /// The tracker's loop: it calls `wait` on its actor, and a new watch shortens on the same actor.
    actor Loop {
      let doorbell = Doorbell()
      private(set) var waiting = false

      func sleep() async {
        waiting = true
        await doorbell.wait(until: .now + .seconds(10))
        waiting = false
      }

      func ring() { doorbell.shorten(to: .now) }
    }

    @Test("a shorten on the waiter's actor after it began to wait is heard, every time")
    func shortenOnTheSameActor() async {
      // Background work keeps the pool busy, so that a wait that left the actor before registering its
      // deadline would still be queued when the ring (at a higher priority) comes.
      let busy = (0..<4).map { _ in
        Task(priority: .background) {
          while !Task.isCancelled { await Task.yield() }
        }
      }
      defer { for task in busy { task.cancel() } }
      let start = ContinuousClock.now
      for _ in 0..<50 {
        let loop = Loop()
        let sleeper = Task(priority: .background) { await loop.sleep() }
        while await !loop.waiting { await Task.yield() }
        await loop.ring()
        await sleeper.value
        if ContinuousClock.now - start > .seconds(5) { break }
      }
      #expect(ContinuousClock.now - start < .seconds(5))
    }
  }
}

@Suite("Doorbell state")
struct DoorbellStateTests {
  @Test("a shorten between the waiter reading the deadline and registering its sleep is not lost")
  func shortenBeforeRegistering() {
    let now = ContinuousClock.now
    var state = Doorbell.State(deadline: now + .seconds(30))
    let read = state.deadline!
    let early = state.shorten(to: now)
    #expect(early == nil, "no sleep registered yet to interrupt")
    let stale = state.register(Task {}, sleepingUntil: read)
    #expect(!stale, "a sleep to the deadline read before the shorten is refused")
    #expect(state.deadline == now)
    let current = Task<Void, Never> {}
    let registered = state.register(current, sleepingUntil: now)
    #expect(registered)
    let interrupted = state.shorten(to: now - .seconds(1))
    #expect(interrupted == current, "a later shorten interrupts the registered sleep")
    let later = state.shorten(to: now)
    #expect(later == nil, "a later deadline is no shortening")
  }
}
