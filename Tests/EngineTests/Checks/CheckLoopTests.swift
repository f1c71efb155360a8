import Synchronization
import Testing

@testable import Engine

/// How a check repeats: passes must come in a row, a failure starts the count again, and the
/// timeout ends it with the last answer.
@Suite("Check repetition")
struct CheckLoopTests {
  /// Answers from a script, one per attempt, then the last one forever.
  final class Script: Sendable {
    let answers: [Bool]
    let next = Mutex(0)
    let timeouts = Mutex<[Duration]>([])
    init(_ answers: [Bool]) { self.answers = answers }
    func attempt(_ timeout: Duration) -> ProbeResult {
      timeouts.withLock { $0.append(timeout) }
      let index = next.withLock { index in
        defer { index += 1 }
        return index
      }
      let passed = answers[min(index, answers.count - 1)]
      return ProbeResult(passed: passed, summary: passed ? "HTTP 200" : "HTTP 503", code: passed ? 200 : 503)
    }
  }

  @Test("three passes in a row are needed; a failure in between starts the count again")
  func passesInARow() async throws {
    let script = Script([true, true, false, true, true, true, false])
    let loop = CheckLoop(times: 3, interval: .milliseconds(1), timeout: .seconds(60), attemptTimeout: .seconds(10))
    let verdict = try await loop.run(attempt: { script.attempt($0) })
    #expect(verdict.passed)
    #expect(verdict.attempts == 6, "pass, pass, FAIL, pass, pass, pass")
    #expect(verdict.passesInRow == 3)
    #expect(verdict.last?.code == 200)
  }

  @Test("a check that never passes fails at its timeout with the last answer, cutting attempts to what is left")
  func timesOut() async throws {
    let script = Script([false])
    let loop = CheckLoop(times: 1, interval: .milliseconds(1), timeout: .seconds(2), attemptTimeout: .seconds(10))
    let verdict = try await loop.run(attempt: { script.attempt($0) })
    #expect(!verdict.passed)
    #expect(verdict.last?.summary == "HTTP 503")
    #expect(verdict.elapsed >= .milliseconds(1_900), "it tried until its timeout")
    let timeouts = script.timeouts.withLock { $0 }
    #expect(timeouts.allSatisfy { $0 <= .seconds(2) }, "an attempt never outlives the check: \(timeouts)")
  }

  @Test("an attempt cut short by the deadline without an answer does not hide the answer before it")
  func cutAttemptKeepsTheTellingAnswer() async throws {
    let answers = Mutex(0)
    let loop = CheckLoop(
      times: 1, interval: .milliseconds(1), timeout: .milliseconds(400), attemptTimeout: .seconds(10))
    let verdict = try await loop.run(attempt: { timeout in
      let first = answers.withLock { count in
        defer { count += 1 }
        return count == 0
      }
      if first { return ProbeResult(passed: false, summary: "HTTP 500, expected 200", code: 500) }
      // Later attempts are cut to what is left of the 400 ms and get no answer in it.
      try await Task.sleep(for: timeout)
      return ProbeResult(passed: false, summary: "no answer within \(timeout)")
    })
    #expect(!verdict.passed)
    #expect(verdict.last?.summary == "HTTP 500, expected 200", "\(String(describing: verdict.last))")
  }

  @Test("a cancel stops the loop at once")
  func cancelled() async throws {
    let script = Script([false])
    let loop = CheckLoop(times: 1, interval: .seconds(30), timeout: .seconds(600), attemptTimeout: .seconds(10))
    let task = Task { try await loop.run(attempt: { script.attempt($0) }) }
    // The first attempt happens at once; the loop then sleeps its interval until cancelled.
    let deadline = ContinuousClock.now + .seconds(30)
    while script.next.withLock({ $0 }) == 0, ContinuousClock.now < deadline { await Task.yield() }
    task.cancel()
    await #expect(throws: CancellationError.self) { try await task.value }
  }
}
