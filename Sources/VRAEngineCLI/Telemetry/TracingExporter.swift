import ArgumentParser
import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing
import VRAModels

/// OpenTelemetry traces over OTLP/HTTP (swift-otel), for the commands that talk to vRA.
///
/// Started only when the standard `OTEL_*` variables ask for traces (`TracingEnvironment`);
/// swift-otel reads them all (endpoint, protocol, headers, timeout, sampler, service name, resource
/// attributes, batching). It bootstraps `InstrumentationSystem` with its tracer, so the engine's
/// run and stage spans and the client's vRA call spans are exported and every vRA request carries
/// a W3C `traceparent`. Metrics (Prometheus) and logs (swift-log) are left as they are.
final class TracingExporter: Sendable {
  private let group: ServiceGroup
  private let task: Task<Void, any Error>
  /// A collector that does not answer holds the command at its end no longer than one export may take.
  private let flushLimit: Duration

  private init(group: ServiceGroup, task: Task<Void, any Error>, flushLimit: Duration) {
    self.group = group
    self.task = task
    self.flushLimit = flushLimit
  }

  /// Runs `body` with traces exported when the environment asks for them, and flushes every span
  /// before returning or throwing, whatever way `body` ends (an exit code, an error, a cancelled
  /// run after Ctrl-C). A bad `OTEL_*` value is an error on stderr and exit code 2.
  static func around(_ configuration: RunConfiguration, _ body: () async throws -> Void) async throws {
    let exporter: TracingExporter?
    do {
      exporter = try start(otlpEndpoint: configuration.resolved.text("telemetry.otlpEndpoint"))
    } catch {
      Terminal.err("error: traces: \(error)")
      throw ExitCodes.usageOrValidation
    }
    do {
      try await body()
    } catch {
      await exporter?.stop()
      throw error
    }
    await exporter?.stop()
  }

  /// Bootstraps the process's tracer (once per process: before any vRA client is made, since a
  /// client keeps the tracer it was made with) and starts exporting; nil when traces are not asked for.
  ///
  /// - Parameter otlpEndpoint: `telemetry.otlpEndpoint` of the config file, the OTLP base URL as in
  ///   `OTEL_EXPORTER_OTLP_ENDPOINT`; it turns traces on too. The variables, when set, win.
  static func start(otlpEndpoint: String? = nil) throws -> TracingExporter? {
    // The process environment: swift-otel reads it too (it has no other source for the tracing backend alone).
    let environment = ProcessInfo.processInfo.environment
    let settings = TracingEnvironment(environment: environment)
    guard settings.isEnabled || (otlpEndpoint != nil && !settings.isDisabled) else { return nil }
    try settings.check()

    var configuration = OTel.Configuration.default
    configuration.serviceName = "vra-engine"  // OTEL_SERVICE_NAME overrides it
    configuration.resourceAttributes["service.version"] = VRAEngineVersion.current
    configuration.diagnosticLogLevel = .warning
    if let otlpEndpoint {
      // Set as-is, so the signal path is ours to add; OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT still override it.
      configuration.traces.otlpExporter.endpoint =
        otlpEndpoint.hasSuffix("/") ? otlpEndpoint + "v1/traces" : otlpEndpoint + "/v1/traces"
    }
    let diagnostics = OTelDiagnostics(environment: environment)
    configuration.diagnosticLogger = .custom(diagnostics.logger)
    let backend = try OTel.makeTracingBackend(configuration: configuration)
    if !diagnostics.configurationProblems.isEmpty {
      throw TracingEnvironment.Problem(description: diagnostics.configurationProblems.joined(separator: "; "))
    }
    InstrumentationSystem.bootstrap(backend.factory)

    var logger = Logger(label: "vra-engine.tracing")
    logger.logLevel = .warning
    let group = ServiceGroup(
      configuration: .init(services: [backend.service], gracefulShutdownSignals: [], logger: logger))
    let task = Task { try await group.run() }
    return TracingExporter(group: group, task: task, flushLimit: settings.exportTimeout + .seconds(1))
  }

  /// Exports the spans still buffered and stops, within `flushLimit`.
  func stop() async {
    await group.triggerGracefulShutdown()
    let (task, flushLimit) = (self.task, self.flushLimit)
    let limit = Task {
      try await Task.sleep(for: flushLimit)
      Terminal.err("warning: traces: gave up exporting the last spans after \(flushLimit)")
      task.cancel()
    }
    _ = try? await task.value
    limit.cancel()
  }
}
