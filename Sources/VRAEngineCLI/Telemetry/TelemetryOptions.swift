import ArgumentParser
import EngineRuntime
import Foundation

/// `--metrics-port` (and its host), shared by the commands that run deployments.
struct TelemetryOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Serve Prometheus metrics at http://HOST:PORT/metrics while the command runs (0: any free port, "
        + "printed on stderr).", valueName: "port"))
  var metricsPort: Int?

  @Option(help: ArgumentHelp("The address the metrics endpoint listens on (default 127.0.0.1).", valueName: "host"))
  var metricsHost: String?

  func validate() throws {
    if let metricsPort, !(0...65535).contains(metricsPort) {
      throw ValidationError("--metrics-port must be 0...65535, not \(metricsPort)")
    }
  }
}
