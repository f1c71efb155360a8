import Foundation
import Testing

@testable import Engine

@Suite("Tracker building blocks")
struct TrackerUnitTests {
  @Test("the watermark keeps an overlap below the latest stamp, so a same-millisecond update is read again")
  func watermarkOverlap() {
    var watermark = Watermark(overlap: .milliseconds(1000))
    #expect(watermark.lowerBound == nil)
    let stamp = Date(timeIntervalSince1970: 1_700_000_000.123)
    watermark.advance(seen: [stamp, stamp.addingTimeInterval(-5)], serverTimeBeforeCall: nil)
    let bound = try! #require(watermark.lowerBound)
    #expect(bound.vraMilliseconds == stamp.vraMilliseconds - 1000)
    #expect(bound <= stamp)  // an update stamped in the same millisecond as the latest still matches [bound,]
    // It never goes back, and the server time before the call moves it on in a quiet project.
    watermark.advance(seen: [stamp.addingTimeInterval(-60)], serverTimeBeforeCall: nil)
    #expect(watermark.lowerBound == bound)
    watermark.advance(seen: [], serverTimeBeforeCall: stamp.addingTimeInterval(30))
    #expect(watermark.lowerBound?.vraMilliseconds == stamp.addingTimeInterval(29).vraMilliseconds)
  }

  @Test("the interval starts fast, backs off to the maximum while quiet, and resets on a change")
  func adaptiveInterval() {
    let configuration = TrackerConfiguration(
      minInterval: .milliseconds(250), maxInterval: .seconds(10), backoffFactor: 2, jitter: 0)
    var interval = PollInterval(configuration)
    var generator = SystemRandomNumberGenerator()
    var waits: [Duration] = []
    for _ in 0..<8 { waits.append(interval.next(changed: false, using: &generator)) }
    #expect(waits.first == .milliseconds(500))
    #expect(waits.last == .seconds(10))
    #expect(zip(waits, waits.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(interval.next(changed: true, using: &generator) == .milliseconds(250))
    _ = interval.next(changed: false, using: &generator)
    interval.reset()
    #expect(interval.current == .milliseconds(250))
  }

  @Test("jitter stays within its bounds")
  func jitter() {
    let configuration = TrackerConfiguration(minInterval: .seconds(1), maxInterval: .seconds(1), jitter: 0.2)
    var interval = PollInterval(configuration)
    var generator = SystemRandomNumberGenerator()
    let waits = (0..<200).map { _ in interval.next(changed: true, using: &generator) }
    #expect(waits.allSatisfy { $0 >= .milliseconds(800) && $0 <= .milliseconds(1200) })
    #expect(Set(waits).count > 1)
  }
}
