import InMemoryTracing
import Tracing

/// An `InMemoryTracer` that propagates like a W3C Trace Context tracer (swift-otel's default):
/// ids are 16 and 8 random bytes in lowercase hex, and `inject` writes
/// `traceparent: 00-<trace id>-<span id>-01` instead of InMemoryTracer's own keys.
struct W3CTestTracer: Tracer {
  let recorder = InMemoryTracer(
    idGenerator: InMemoryTracer.IDGenerator(
      nextTraceID: { randomHex(bytes: 16) }, nextSpanID: { randomHex(bytes: 8) }))

  func startSpan<Instant: TracerInstant>(
    _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
    at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
  ) -> InMemorySpan {
    recorder.startSpan(
      operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
  }

  func forceFlush() { recorder.forceFlush() }

  func inject<Carrier, Inject: Injector>(
    _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
  ) where Carrier == Inject.Carrier {
    guard let span = context.inMemorySpanContext else { return }
    injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
  }

  func extract<Carrier, Extract: Extractor>(
    _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
  ) where Carrier == Extract.Carrier {}
}

private func randomHex(bytes: Int) -> String {
  (0..<bytes).map { _ in
    let byte = UInt8.random(in: 0...255)
    return (byte < 16 ? "0" : "") + String(byte, radix: 16)
  }.joined()
}
