import Foundation

/// The command line of the benchmark (the parent) and of one measurement (a child, `measure`).
struct Options: Codable {
  var counts = [1000, 10000]
  var projects = 10
  var interval = 10.0
  var minInterval = 0.5
  var noticeTarget = 1.5
  var runs = 3
  var rates: [Double] = []
  var modes = ["batched", "per-deployment"]
  var concurrency = 64
  var typeHints = true
  /// Every measurement in this process, one after the other (the previous round's design, kept to
  /// show the carry-over between measurements); by default each (mode, run) is its own process.
  var inProcess = false

  init() {}

  init(_ arguments: [String]) {
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
      switch argument {
      case "--counts": counts = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
      case "--projects": projects = Int(iterator.next() ?? "") ?? projects
      case "--interval": interval = Double(iterator.next() ?? "") ?? interval
      case "--min-interval": minInterval = Double(iterator.next() ?? "") ?? minInterval
      case "--notice-target": noticeTarget = Double(iterator.next() ?? "") ?? noticeTarget
      case "--runs": runs = Int(iterator.next() ?? "") ?? runs
      case "--rate": rates = (iterator.next() ?? "").split(separator: ",").compactMap { Double($0) }
      case "--modes": modes = (iterator.next() ?? "").split(separator: ",").map(String.init)
      case "--concurrency": concurrency = Int(iterator.next() ?? "") ?? concurrency
      case "--no-type-hints": typeHints = false
      case "--in-process": inProcess = true
      default: FileHandle.standardError.write(Data("ignored argument \(argument)\n".utf8))
      }
    }
  }

  /// Submissions per second for the i-th count: one rate for all, or one per count.
  func rate(_ index: Int) -> Double { rates.isEmpty ? 100 : rates[min(index, rates.count - 1)] }
}

/// What one child measures: a mode of one run of one workload.
struct MeasureOrder: Codable {
  var mode: String
  var count: Int
  var rate: Double
  var run: Int
  var options: Options
}
