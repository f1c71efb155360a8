import CoreMetrics
import Synchronization

/// A swift-metrics backend that keeps counter totals by label and dimensions, for asserting what
/// a component counted without bootstrapping the process-wide metrics system.
final class RecordingMetrics: MetricsFactory, Sendable {
  private let totals = Mutex<[String: Int64]>([:])

  /// The total of counter `label` with exactly `dimensions`.
  func total(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
    totals.withLock { $0[Self.key(label, dimensions)] ?? 0 }
  }

  func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
    RecordingCounter(key: Self.key(label, dimensions), totals: self)
  }

  func add(_ amount: Int64, to key: String) { totals.withLock { $0[key, default: 0] += amount } }

  func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
    NoRecorder()
  }

  func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { NoTimer() }
  func destroyCounter(_ handler: any CounterHandler) {}
  func destroyRecorder(_ handler: any RecorderHandler) {}
  func destroyTimer(_ handler: any TimerHandler) {}

  private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
    ([label] + dimensions.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }).joined(separator: ",")
  }

  private final class RecordingCounter: CounterHandler, Sendable {
    init(key: String, totals: RecordingMetrics) {
      self.key = key
      self.totals = totals
    }
    let key: String
    let totals: RecordingMetrics
    func increment(by amount: Int64) { totals.add(amount, to: key) }
    func reset() {}
  }

  private final class NoRecorder: RecorderHandler, Sendable {
    func record(_ value: Int64) {}
    func record(_ value: Double) {}
  }

  private final class NoTimer: TimerHandler, Sendable {
    func recordNanoseconds(_ duration: Int64) {}
  }
}
