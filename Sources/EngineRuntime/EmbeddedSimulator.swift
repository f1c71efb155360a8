import Credentials
import Engine
import Foundation
import VRAClient
import VRASimulator

/// With no endpoint configured, `deploy` and `apply` run against the bundled simulator, started
/// in this process. Its state lives beside the engine state, so `--resume` in a later invocation
/// finds the deployments the first one created.
public struct EmbeddedSimulator: Sendable {
  /// Fast enough that the examples finish in seconds, slow enough that progress is visible.
  public static let timeScale = 0.02

  public let server: SimulatorServer
  /// The lock on the state file, held while this process's simulator lives.
  let lock: StateFileLock

  static func start(stateDirectory: URL, notice: NoticeSink) async throws -> EmbeddedSimulator {
    // One process at a time serves this state: two in-process simulators on one file would each
    // save their own copy over the other's.
    let lock = try StateFileLock.acquire(stateDirectory.appendingPathComponent("simulator.json.lock").path)
    var configuration = SimulatorConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.timeScale = timeScale
    configuration.stateFile = stateDirectory.appendingPathComponent("simulator.json").path
    // Two projects, so the examples can fan out across projects as real rollouts do.
    var org = OrgSeed.default
    org.projects = ["Development", "Production"]
    configuration.orgs = [org]
    // Resources named fail-... fail, so examples/rollback-demo can show a failure and its rollback.
    configuration.faults.enabled = true
    configuration.faults.failResources = ["fail-*"]
    let server: SimulatorServer
    do {
      server = try await SimulatorServer.start(configuration: configuration)
    } catch {
      lock.release()
      throw error
    }
    notice(
      "no vRA endpoint configured (VRA_URL or --endpoint): using the embedded simulator at \(server.baseURL)")
    return EmbeddedSimulator(server: server, lock: lock)
  }

  /// Runs `body` with the embedded simulator serving the state in `stateDirectory` (a service
  /// starts it once for the tenants that name no vRA), stopped however `body` ends.
  public static func with<Result>(
    stateDirectory: URL, notice: NoticeSink, _ body: (EmbeddedSimulator) async throws -> Result
  ) async throws -> Result {
    let simulator = try await start(stateDirectory: stateDirectory, notice: notice)
    do {
      let result = try await body(simulator)
      await simulator.stop()
      return result
    } catch {
      await simulator.stop()
      throw error
    }
  }

  /// Endpoint settings that log in as the simulator's seeded admin.
  public var settings: EndpointSettings {
    EndpointSettings(
      endpoint: URL(string: server.baseURL)!,
      authentication: .password(username: "admin", password: Secret("VMware1!"), domain: "vsphere.local"))
  }

  func stop() async {
    await server.stop()
    lock.release()
  }
}
