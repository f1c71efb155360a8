import ArgumentParser
import EngineRuntime
import EngineServer
import Foundation
import Logging
import RunState

/// `vra-engine serve --config serve.yaml`: the engine as a shared, multi-tenant service.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Run the engine as a multi-tenant HTTP service (REST API under /api/v1, event streams, metrics).",
    discussion: """
      Tenants, their API tokens (as SHA-256 hashes) or OIDC issuers, their vRA endpoints and credentials, \
      their projects, regions and run quotas are declared in serve.yaml (docs/serve-configuration.md); \
      edits of the tenants take effect without a restart. The API is documented in docs/serve.md and \
      served at /api/v1/openapi.json; /healthz, /readyz and /metrics need no token.

      Runs are kept in the state database (state.url). SIGTERM or Ctrl-C stops accepting requests and \
      hands every run in progress back: vRA goes on with its requests, and the next start resumes each \
      run exactly where it was. Logs go to stderr (VRA_ENGINE_LOG_LEVEL, default info; \
      VRA_ENGINE_LOG_FORMAT=json), every line with its tenant.

      Exit codes: 0 stopped by a signal, 2 invalid serve.yaml (every problem with its line), 3 the \
      address cannot be bound or the state cannot be opened.

      Examples:
        vra-engine serve --config serve.yaml
        vra-engine serve token create --tenant team-a --config serve.yaml
      """,
    subcommands: [ServeTokenCommand.self])

  @Option(help: "The service's configuration file.") var config = "serve.yaml"

  func run() async throws {
    let environment = CommandContext.current.environment
    let configuration: ServeConfiguration
    do {
      configuration = try ServeConfiguration.load(path: config)
    } catch {
      Terminal.err(error.problems.map { "error: \($0)" }.joined(separator: "\n"))
      throw ExitCodes.usageOrValidation
    }
    if environment["VRA_ENGINE_LOG_LEVEL"] == nil { LogControl.shared.level = .info }
    if environment["VRA_ENGINE_LOG_FORMAT"]?.lowercased() == "json" { LogControl.shared.format = .json }
    do {
      try await EngineService.run(
        configuration, environment: environment, logger: Logger(label: "vra-engine.serve"),
        listening: { running in
          Terminal.err(
            "vra-engine serve: \(configuration.tenants.count) tenant(s), API at \(running.baseURL)/api/v1 "
              + "(state \((try? StateDatabase.parse(configuration.statePath))?.description ?? "?"))")
        })
    } catch {
      Terminal.err("error: \(OutputRedaction.redactor.redact("\(error)"))")
      throw ExitCodes.authOrConnectivity
    }
  }
}
