import Foundation

/// What one measurement (a mode of one run) saw, passed from the child to the parent as JSON.
struct RunMeasurement: Codable {
  var mode: String
  var count: Int
  var run: Int
  /// How late the latest submission left, seconds behind plan.
  var setupLag: Double
  var trackSeconds: Double
  var apiCalls: Int
  /// The tracker's own count by kind (batched only): delta lists, recheck lists, GETs by id.
  var listCalls = 0
  var recheckListCalls = 0
  var lookups = 0
  var ticks: Int
  var cpuSeconds: Double
  var peakRSS: Double
  /// The 1-minute load average when tracking started and when it ended.
  var loadAtStart: Double
  var loadAtEnd: Double
  /// vRA's `completedAt` → the tracker handed the update over (its `observedAt`; per-deployment:
  /// the GET returned), one per deployment.
  var handedOver: [Double]
  /// vRA's `completedAt` → the state store's write of the result returned.
  var stored: [Double]
  /// The write alone: the waiter got the update → the write returned (queue + SQLite).
  var writes: [Double]
  var failed: Int
  /// Completions stored more than 2 s after vRA's `completedAt`: how many, and when they completed
  /// (seconds after tracking started, first and last): a cluster at the start is the first
  /// completions of a template, found before any run time is learned.
  var late = 0
  var lateFrom = 0.0
  var lateTo = 0.0
  /// The calls per-deployment polling would make for the completions this run had (its actual
  /// `completedAt`s, the workload's phases): the naive cost of this very run, whichever mode ran.
  var naiveEquivalent = 0

  static func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
  }
  func stored(_ p: Double) -> Double { Self.percentile(stored, p) }
  func handedOver(_ p: Double) -> Double { Self.percentile(handedOver, p) }
  func writes(_ p: Double) -> Double { Self.percentile(writes, p) }
  var callsPerSecond: Double { Double(apiCalls) / trackSeconds }
  var callsPerDeployment: Double { Double(apiCalls) / Double(count) }
  var cpuPercent: Double { cpuSeconds / trackSeconds * 100 }
}

enum LoadAverage {
  /// The 1-minute load average (`/proc/loadavg`), 0 where there is none.
  static func oneMinute() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return 0 }
    return Double(text.split(separator: " ").first ?? "") ?? 0
  }
}
