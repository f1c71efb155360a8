import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// MARK: After the load

/// Every page of a listing, through the cursor. Nil when a page failed (noted in `tally`).
func listAll(api: ServeAPI, statuses: [String]?, kind: String, tally: inout Tally) async -> [RunSummary]? {
  var runs: [RunSummary] = []
  var cursor: String?
  repeat {
    let answer: Answer
    do {
      answer = try await api.list(statuses: statuses, limit: 200, cursor: cursor)
    } catch {
      tally.record(kind, error: error)
      return nil
    }
    tally.record(kind, answer)
    guard answer.status == 200, let page = answer.decode(RunPage.self) else {
      tally.note("\(kind): \(answer.status) \(answer.excerpt)")
      return nil
    }
    runs += page.runs
    cursor = page.next
  } while cursor != nil
  return runs
}

/// Waits until no run of this benchmark is unfinished, or the deadline: the runs still unfinished then.
func drain(api: ServeAPI, prefix: String, timeout: Double, tally: inout Tally) async -> [RunSummary] {
  let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
  var unfinished: [RunSummary] = []
  while true {
    if let runs = await listAll(api: api, statuses: unfinishedStatuses, kind: Kind.listDrain, tally: &tally) {
      unfinished = runs.filter { $0.plan.hasPrefix(prefix) }
      if unfinished.isEmpty { return [] }
    }
    if ContinuousClock.now >= deadline { return unfinished }
    try? await Task.sleep(for: .milliseconds(500))
  }
}

/// Sends `submission` again until an answer comes (a few tries).
func resubmit(_ submission: Submission, api: ServeAPI, kind: String, tally: inout Tally) async -> Answer? {
  for attempt in 1...5 {
    do {
      let answer = try await api.submit(submission)
      tally.record(kind, answer)
      if answer.status < 500 { return answer }
      tally.note("\(kind): \(answer.status) for \(submission.key): \(answer.excerpt)")
    } catch {
      tally.record(kind, error: error)
    }
    try? await Task.sleep(for: .milliseconds(500 * attempt))
  }
  return nil
}

/// `GET /api/v1/runs/{id}` of every accepted run, 8 at a time: run id → status read (nil: no 200).
func reportEach(_ ids: [String], api: ServeAPI, tally: inout Tally) async -> [String: String?] {
  await withTaskGroup(of: (String, Tally, String?).self) { group in
    var results: [String: String?] = [:]
    var pending = ids.makeIterator()
    func add(_ id: String) {
      group.addTask {
        var local = Tally()
        do {
          let answer = try await api.report(id)
          local.record(Kind.reportAfter, answer)
          if answer.status != 200 { local.note("\(Kind.reportAfter) \(id): \(answer.status) \(answer.excerpt)") }
          return (id, local, answer.status == 200 ? answer.decode(RunReportAnswer.self)?.run.status : nil)
        } catch {
          local.record(Kind.reportAfter, error: error)
          return (id, local, nil)
        }
      }
    }
    for _ in 0..<8 { if let id = pending.next() { add(id) } }
    while let (id, local, status) = await group.next() {
      results[id] = .some(status)
      tally.merge(local)
      if let next = pending.next() { add(next) }
    }
    return results
  }
}

/// User + system CPU seconds of this process so far.
func cpuSeconds() -> Double {
  var usage = rusage()
  #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
  #else
    getrusage(RUSAGE_SELF, &usage)
  #endif
  func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
  return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
