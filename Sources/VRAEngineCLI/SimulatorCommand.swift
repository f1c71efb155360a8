import ArgumentParser
import EngineRuntime
import Foundation
import Logging
import VRASimulator

/// `vra-engine simulator`: a local vRA 8 API for trying vra-engine and for CI.
struct SimulatorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulator",
    abstract: "Run a local vRA 8 API simulator (auth, projects, blueprints, deployments, catalog).",
    discussion: """
      With no configuration it seeds org vsphere.local, user admin@vsphere.local with password VMware1! \
      and a project named Development. Deployments move through the real request statuses over \
      realistic durations; --time-scale 0.01 makes them 100x faster.

      Simulator controls live under /_sim/ (stats, reset, faults, tokens/revoke), apart from every vRA path.

      Examples:
        vra-engine simulator --port 8080 --time-scale 0.1
        VRA_URL=http://127.0.0.1:8080 VRA_USERNAME=admin VRA_PASSWORD='VMware1!' vra-engine apply plan.yaml
      """)

  @Option(help: "Address to listen on.") var host: String?
  @Option(help: "Port to listen on; 0 picks a free one.") var port: Int?
  @Option(help: "PEM certificate to serve HTTPS with (needs --tls-key).") var tlsCert: String?
  @Option(help: "PEM private key of --tls-cert.") var tlsKey: String?
  @Option(help: "PEM CA bundle; when given, clients must present a certificate it signed (mutual TLS).")
  var clientCa: String?
  @Option(help: "A sim.yaml with orgs, users, durations, token lifetimes and faults.") var config: String?
  @Option(help: "Multiply every simulated duration by this factor (0.01 = 100x faster).") var timeScale: Double?
  @Option(help: "Keep state in this JSON file across restarts.") var state: String?
  @Flag(help: "Enable fault injection (rules from the config, /_sim/faults, and the X-Sim-Fault header).")
  var faults = false

  func validate() throws {
    if (tlsCert == nil) != (tlsKey == nil) {
      throw ValidationError("--tls-cert and --tls-key go together")
    }
    if clientCa != nil, tlsCert == nil {
      throw ValidationError("--client-ca needs --tls-cert and --tls-key")
    }
    if let timeScale, !(timeScale > 0) {
      throw ValidationError("--time-scale must be greater than 0")
    }
    if let port, !(0...65535).contains(port) {
      throw ValidationError("--port must be between 0 and 65535")
    }
  }

  func run() async throws {
    var configuration: SimulatorConfiguration
    do {
      configuration = try config.map { try SimulatorConfiguration.load(yamlFile: $0) } ?? SimulatorConfiguration()
    } catch {
      Terminal.err("error: \(error)")
      throw ExitCodes.usageOrValidation
    }
    if let host { configuration.host = host }
    if let port { configuration.port = port }
    if let timeScale { configuration.timeScale = timeScale }
    if let state { configuration.stateFile = state }
    if faults { configuration.faults.enabled = true }
    if let tlsCert, let tlsKey {
      configuration.tls = TLSSettings(certificateFile: tlsCert, keyFile: tlsKey, clientCAFile: clientCa)
    }

    let server: SimulatorServer
    do {
      server = try await SimulatorServer.start(configuration: configuration)
    } catch {
      Terminal.err("error: cannot start the simulator: \(error)")
      throw ExitCodes.authOrConnectivity
    }
    say("vRA 8 simulator listening on \(server.baseURL)")
    for org in configuration.orgs {
      for user in org.users {
        // Only the documented demo password is shown; passwords from a sim.yaml stay out of the terminal.
        let password = user.password == "VMware1!" ? user.password : "(from the config)"
        say("  org \(org.name): user \(user.principal) password \(password) (domain \(user.domain))")
      }
      if !org.projects.isEmpty { say("  projects: \(org.projects.joined(separator: ", "))") }
    }
    say("  time scale \(configuration.timeScale), faults \(configuration.faults.enabled ? "enabled" : "off")")
    say("  stats: \(server.baseURL)/_sim/stats")

    let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
    await signals.wait()
    say("stopping")
    await server.stop()
  }
}

/// Writes a line to stdout unbuffered: piped output would otherwise sit in a buffer, and whoever
/// waits for the simulator's URL must see it at once. Not through the redactor: the banner names
/// the demo password on purpose.
private func say(_ line: String) {
  CommandContext.current.output.write(.standardOutput, line + "\n")
}
