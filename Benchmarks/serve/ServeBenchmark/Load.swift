import Foundation
import Synchronization

/// The newest accepted run, for the reader that measures `GET /api/v1/runs/{id}` under load.
let newestRun = Mutex<String?>(nil)
/// Submissions made so far by every client: with `--runs`, the clients stop at that number; the
/// number also picks the server a submission goes to (each in turn).
let submissionsMade = Atomic<Int>(0)
/// Set when every client is done (the reader stops then too).
let loadDone = Atomic<Bool>(false)

enum Kind {
  static let submit = "POST /api/v1/runs"
  static let reportUnderLoad = "GET /api/v1/runs/{id}, under load"
  static let listUnderLoad = "GET /api/v1/runs?limit=50, under load"
  static let listDrain = "GET /api/v1/runs?status=…, drain"
  static let resolve = "POST /api/v1/runs, key of an unknown outcome again"
  static let replay = "POST /api/v1/runs, replayed key"
  static let listPaging = "GET /api/v1/runs?limit=200, paging"
  static let reportAfter = "GET /api/v1/runs/{id}, every run after"
}

// MARK: The load

/// One client: submits one plan after the other until the deadline (or until `--runs` plans are
/// submitted by all clients together); each submission is sent until its outcome is known (202, or
/// a 429 whose wait runs past the deadline, or a refusal).
func client(
  _ index: Int, api: ServeAPI, options: Options, nonce: String, deadline: ContinuousClock.Instant
) async
  -> Tally
{
  var tally = Tally()
  var sequence = 0
  while ContinuousClock.now < deadline {
    let number = submissionsMade.add(1, ordering: .relaxed).oldValue
    if let runs = options.runs, number >= runs { break }
    let submission = Submission(
      nonce: nonce, client: index, index: sequence, project: options.project, stages: options.stages,
      server: options.servers[number % options.servers.count])
    sequence += 1
    await submitUntilDecided(submission, api: api, deadline: deadline, tally: &tally)
  }
  return tally
}

/// Sends `submission` until its fate is known. After a transport error, a timeout or a 5xx the run
/// may or may not have been recorded: the same key is sent again (that is what it is for); after
/// 5 such answers in a row it is left for the resolution after the load.
func submitUntilDecided(
  _ submission: Submission, api: ServeAPI, deadline: ContinuousClock.Instant, tally: inout Tally
) async {
  var unknownOutcomes = 0
  while true {
    let answer: Answer
    do {
      answer = try await api.submit(submission)
    } catch {
      tally.record(Kind.submit, error: error)
      unknownOutcomes += 1
      if unknownOutcomes >= 5 { return tally.unresolved.append(submission) }
      try? await Task.sleep(for: .milliseconds(200 * unknownOutcomes))
      continue
    }
    tally.record(Kind.submit, answer)
    switch answer.status {
    case 202:
      guard let run = answer.decode(RunSummary.self) else {
        tally.note("202 without a run: \(answer.excerpt)")
        return tally.unresolved.append(submission)
      }
      if answer.header("Idempotent-Replayed") == "true", unknownOutcomes == 0 {
        tally.unexpectedReplays += 1
        tally.note("202 replayed for a new key \(submission.key): run \(run.id)")
      }
      tally.accepted.append(Accepted(submission: submission, id: run.id, afterUnknownOutcome: unknownOutcomes > 0))
      newestRun.withLock { $0 = run.id }
      return
    case 429:
      // The key is looked up before the quota: a 429 means nothing was recorded for it.
      let wait = Double(answer.header("Retry-After") ?? "") ?? 1
      if ContinuousClock.now + .milliseconds(Int(wait * 1000)) >= deadline {
        tally.abandonedAfter429 += 1
        return
      }
      try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
    case 500...:
      tally.note("\(answer.status) for \(submission.key): \(answer.excerpt)")
      unknownOutcomes += 1
      if unknownOutcomes >= 5 { return tally.unresolved.append(submission) }
      try? await Task.sleep(for: .milliseconds(200 * unknownOutcomes))
    default:
      tally.refused += 1
      tally.note("\(answer.status) for \(submission.key): \(answer.excerpt)")
      return
    }
  }
}

/// Reads while the clients write: the newest accepted run's report, and every fifth time the first
/// page of the listing, every `interval`.
func reader(api: ServeAPI, interval: Double, deadline: ContinuousClock.Instant) async -> Tally {
  var tally = Tally()
  var round = 0
  while ContinuousClock.now < deadline, !loadDone.load(ordering: .relaxed) {
    if let id = newestRun.withLock({ $0 }) {
      do {
        tally.record(Kind.reportUnderLoad, try await api.report(id))
      } catch {
        tally.record(Kind.reportUnderLoad, error: error)
      }
    }
    if round % 5 == 0 {
      do {
        tally.record(Kind.listUnderLoad, try await api.list(limit: 50))
      } catch {
        tally.record(Kind.listUnderLoad, error: error)
      }
    }
    round += 1
    try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
  }
  return tally
}
