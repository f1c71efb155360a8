import Foundation

/// A submission the service accepted (202): the run it named.
struct Accepted: Sendable {
  var submission: Submission
  var id: String
  /// The 202 came on a retry after an answer that was lost (transport error, timeout, 5xx).
  var afterUnknownOutcome: Bool
}

/// What one task saw; merged at the end, so the tasks share nothing while they run.
struct Tally: Sendable {
  var accepted: [Accepted] = []
  /// Request kind → latencies in milliseconds.
  var latencies: [String: [Double]] = [:]
  /// Request kind → answer (`202`, `429`, `500`, `error: ...`) → count.
  var answers: [String: [String: Int]] = [:]
  /// Submissions whose outcome stayed unknown after every retry: resolved after the load.
  var unresolved: [Submission] = []
  /// Submissions given up after a 429 whose `Retry-After` ran past the end of the load.
  var abandonedAfter429 = 0
  /// Submissions refused for good (4xx other than 429): nothing recorded, a benchmark or serve bug.
  var refused = 0
  /// 202s with `Idempotent-Replayed: true` for a key sent for the first time.
  var unexpectedReplays = 0
  /// A few answers worth showing (errors, 5xx, refusals), at most 20.
  var notes: [String] = []

  mutating func record(_ kind: String, _ answer: Answer) {
    latencies[kind, default: []].append(answer.milliseconds)
    answers[kind, default: [:]][String(answer.status), default: 0] += 1
  }

  mutating func record(_ kind: String, error: any Error) {
    answers[kind, default: [:]]["error: \(Self.describe(error))", default: 0] += 1
    note("\(kind): \(error)")
  }

  mutating func note(_ text: String) {
    if notes.count < 20 { notes.append(text) }
  }

  mutating func merge(_ other: Tally) {
    accepted += other.accepted
    latencies.merge(other.latencies) { $0 + $1 }
    answers.merge(other.answers) { $0.merging($1, uniquingKeysWith: +) }
    unresolved += other.unresolved
    abandonedAfter429 += other.abandonedAfter429
    refused += other.refused
    unexpectedReplays += other.unexpectedReplays
    for line in other.notes { note(line) }
  }

  func count(_ kind: String, _ answer: String) -> Int { answers[kind]?[answer] ?? 0 }

  /// A short name for an error, to count alike errors together.
  static func describe(_ error: any Error) -> String {
    let text = "\(error)"
    return String(text.prefix(while: { $0 != "(" && $0 != ":" }).prefix(60))
  }
}

/// Nearest-rank percentiles over one set of latencies.
struct Percentiles {
  let sorted: [Double]

  init(_ values: [Double]) { sorted = values.sorted() }

  func callAsFunction(_ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, Swift.max(0, rank - 1))]
  }

  var max: Double { sorted.last ?? .nan }
}

/// A Markdown table, columns padded so the terminal shows it aligned too.
struct Table {
  var header: [String]
  var rows: [[String]] = []
  /// Columns aligned right (numbers).
  var numeric: Set<Int>

  init(_ header: [String], numeric: Set<Int>? = nil) {
    self.header = header
    self.numeric = numeric ?? Set(1..<header.count)
  }

  mutating func add(_ cells: [String]) { rows.append(cells) }

  func render() -> String {
    let widths = header.indices.map { column in
      ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
    }
    func line(_ cells: [String]) -> String {
      let padded = header.indices.map { column -> String in
        let text = cells.indices.contains(column) ? cells[column] : ""
        let padding = String(repeating: " ", count: widths[column] - text.count)
        return numeric.contains(column) ? padding + text : text + padding
      }
      return "| " + padded.joined(separator: " | ") + " |"
    }
    let rule = header.indices.map { column in
      numeric.contains(column)
        ? String(repeating: "-", count: Swift.max(widths[column] - 1, 1)) + ":"
        : String(repeating: "-", count: Swift.max(widths[column], 1))
    }
    return ([line(header), "| " + rule.joined(separator: " | ") + " |"] + rows.map(line)).joined(separator: "\n")
  }
}

func format(_ value: Double, _ digits: Int = 1) -> String {
  value.isNaN ? "–" : String(format: "%.\(digits)f", value)
}
