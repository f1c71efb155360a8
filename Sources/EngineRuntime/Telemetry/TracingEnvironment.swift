import Foundation

/// What the standard `OTEL_*` variables say about traces, before swift-otel reads them.
///
/// swift-otel reads and applies every variable itself; this only decides whether traces are
/// wanted at all (so that with no variable set nothing starts), and refuses the values this build
/// cannot honour, which swift-otel would otherwise end with a crash (`fatalError`) or a bare
/// `NotImplementedError`: the gRPC protocol (only the `OTLPHTTP` trait is built), the Jaeger and
/// X-Ray samplers, and propagators other than W3C trace context.
struct TracingEnvironment {
  let environment: [String: String]

  /// A value that cannot work, said so that the user can fix it.
  struct Problem: Error, CustomStringConvertible {
    var description: String
  }

  /// True when the variables ask for traces: an OTLP endpoint (shared or for traces) or
  /// `OTEL_TRACES_EXPORTER=otlp`, unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`.
  var isEnabled: Bool {
    if value("OTEL_SDK_DISABLED")?.lowercased() == "true" { return false }
    switch value("OTEL_TRACES_EXPORTER")?.lowercased() {
    case "none": return false
    case "otlp": return true
    case .some: return true  // anything else is refused by `check()`, not silently ignored
    case nil: return value("OTEL_EXPORTER_OTLP_ENDPOINT") != nil || value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != nil
    }
  }

  /// True when traces are switched off explicitly (`OTEL_SDK_DISABLED=true`, `OTEL_TRACES_EXPORTER=none`),
  /// which a config file's `telemetry.otlpEndpoint` does not override.
  var isDisabled: Bool {
    value("OTEL_SDK_DISABLED")?.lowercased() == "true" || value("OTEL_TRACES_EXPORTER")?.lowercased() == "none"
  }

  /// How long one export may take (`OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` or `OTEL_EXPORTER_OTLP_TIMEOUT`,
  /// milliseconds; 10 s by default, as in swift-otel).
  var exportTimeout: Duration {
    let text = value("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") ?? value("OTEL_EXPORTER_OTLP_TIMEOUT")
    return text.flatMap(Int.init).map { .milliseconds(max($0, 0)) } ?? .seconds(10)
  }

  /// Refuses the values swift-otel accepts but this build cannot honour.
  func check() throws(Problem) {
    if let exporter = value("OTEL_TRACES_EXPORTER"), exporter.lowercased() != "otlp" {
      throw Problem(description: "OTEL_TRACES_EXPORTER=\(exporter) is not supported: use otlp (or none)")
    }
    for name in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
      if let value = value(name), value.lowercased() == "grpc" {
        throw Problem(
          description:
            "\(name)=grpc is not supported: vra-engine exports OTLP over HTTP; use http/protobuf or http/json")
      }
    }
    if let sampler = value("OTEL_TRACES_SAMPLER"),
      ["jaeger_remote", "parentbased_jaeger_remote", "xray"].contains(sampler.lowercased())
    {
      throw Problem(
        description: "OTEL_TRACES_SAMPLER=\(sampler) is not supported: use always_on, always_off, traceidratio "
          + "or a parentbased_ one of these")
    }
    if let propagators = value("OTEL_PROPAGATORS") {
      let unsupported = propagators.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !["tracecontext", "none", ""].contains($0.lowercased()) }
      if !unsupported.isEmpty {
        throw Problem(
          description: "OTEL_PROPAGATORS: \(unsupported.joined(separator: ", ")) not supported: use tracecontext")
      }
    }
    for name in ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"] {
      guard let endpoint = value(name) else { continue }
      guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased()), url.host != nil
      else {
        throw Problem(description: "\(name)=\(endpoint) is not an http:// or https:// URL")
      }
    }
  }

  /// A variable's value; empty counts as unset, as the OpenTelemetry specification says.
  private func value(_ name: String) -> String? {
    guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
    return value
  }
}
