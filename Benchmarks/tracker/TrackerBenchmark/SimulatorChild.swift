import Foundation
import Logging
import VRASimulator

/// The simulator runs in its own process so the engine's CPU and memory are measured alone.
enum SimulatorChild {
  /// `TrackerBenchmark simulator PROJECTS TYPE=SECONDS...`: serves until killed, prints `port=N` first.
  static func serve(projects: Int, durations: [String: Double]) async throws {
    var configuration = SimulatorConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.timeScale = 1
    configuration.orgs = [
      OrgSeed(
        name: "vsphere.local", users: [UserSeed(username: "admin", password: "VMware1!", domain: "vsphere.local")],
        projects: (0..<projects).map { "bench-\($0)" })
    ]
    for (type, seconds) in durations { configuration.durations.resourceTypes[type] = seconds }
    var logger = Logger(label: "bench-simulator")
    logger.logLevel = .error
    let server = try await SimulatorServer.start(configuration: configuration, logger: logger)
    FileHandle.standardOutput.write(Data("port=\(server.port)\n".utf8))
    while true { try await Task.sleep(for: .seconds(3600)) }
  }

  /// Starts a child simulator and returns it with its base URL.
  static func spawn(projects: Int, durations: [String: Double]) throws -> (Process, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments =
      ["simulator", String(projects)] + durations.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    var buffer = Data()
    while !buffer.contains(UInt8(ascii: "\n")) {
      let chunk = pipe.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      buffer.append(chunk)
    }
    let line = String(decoding: buffer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard line.hasPrefix("port="), let port = Int(line.dropFirst(5)) else {
      process.terminate()
      throw BenchmarkError("the simulator did not report its port: \(line)")
    }
    return (process, "http://127.0.0.1:\(port)")
  }
}

struct BenchmarkError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
