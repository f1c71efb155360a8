import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing
import VRAModels

/// Exports traces (OTLP/HTTP) for the length of a command when `OTEL_*` or the profile's
/// `telemetry.otlpEndpoint` ask for it, and flushes the last spans however the command ends.
public enum TracingExporter {
  /// Runs `body` with tracing set up; after it, waits for the export of the last spans, at most
  /// the exporter's timeout (then says so to `notice`).
  public static func around<Result>(
    _ configuration: RunConfiguration, notice: @escaping NoticeSink, _ body: () async throws -> Result
  ) async throws -> Result {
    let backend: (service: any Service, flushLimit: Duration)?
    do {
      backend = try bootstrap(otlpEndpoint: configuration.resolved.text(.telemetryOTLPEndpoint))
    } catch {
      throw RuntimeError.error("traces: \(error)", status: .usageOrValidation)
    }
    guard let backend else { return try await body() }
    var logger = Logger(label: "vra-engine.tracing")
    logger.logLevel = .warning
    let group = ServiceGroup(
      configuration: .init(services: [backend.service], gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { tasks in
      tasks.addTask { try await group.run() }
      let result: Swift.Result<Result, any Error>
      do {
        result = .success(try await body())
      } catch {
        result = .failure(error)
      }
      await group.triggerGracefulShutdown()
      // The flush gets a deadline: an unreachable collector must not hold the command's exit.
      let flushLimit = backend.flushLimit
      tasks.addTask {
        try await Task.sleep(for: flushLimit)
        notice("warning: traces: gave up exporting the last spans after \(flushLimit)")
      }
      _ = try? await tasks.next()
      tasks.cancelAll()
      return try result.get()
    }
  }

  /// The OTel backend the environment (and `otlpEndpoint`) asks for, bootstrapped; nil when tracing is off.
  static func bootstrap(otlpEndpoint: String?) throws -> (any Service, flushLimit: Duration)? {
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
    return (backend.service, settings.exportTimeout + .seconds(1))
  }

}
