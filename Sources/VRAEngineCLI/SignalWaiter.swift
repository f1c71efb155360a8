import Dispatch
import EngineRuntime
import Foundation

/// Suspends until one of the given signals arrives, using Dispatch signal sources
/// (the default handlers are ignored so the process is not killed first).
final class SignalWaiter: Sendable {
  private let signals: [Int32]

  init(signals: [Int32]) { self.signals = signals }

  func wait() async {
    let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
    let queue = DispatchQueue(label: "vra-engine.signals")
    let sources = signals.map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { continuation.yield(number) }
      source.resume()
      return source
    }
    var iterator = stream.makeAsyncIterator()
    _ = await iterator.next()
    sources.forEach { $0.cancel() }
  }
}
