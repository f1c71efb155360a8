import Foundation
import TestSupport
import Testing

/// `vra-engine simulator` as a user runs it: a real process that prints its URL and stops on SIGINT.
@Suite struct CommandLineTests {
  /// The `vra-engine` executable next to the test bundle (both are built by `swift build --build-tests`).
  static var executable: URL {
    get throws {
      var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      for _ in 0..<3 {
        let candidate = directory.appendingPathComponent("vra-engine")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory.deleteLastPathComponent()
      }
      let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/vra-engine")
      try #require(FileManager.default.isExecutableFile(atPath: fallback.path), "build vra-engine first")
      return fallback
    }
  }

  @Test func simulatorPrintsURLAndCredentialsServesAndStopsOnSIGINT() async throws {
    let process = Process()
    process.executableURL = try Self.executable
    process.arguments = ["simulator", "--port", "0", "--time-scale", "0.01"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer { if process.isRunning { process.terminate() } }

    // Read the banner on a plain thread (blocking reads); it ends at the stats line or when the pipe closes.
    let reader = output.fileHandleForReading
    let reading = Task.detached { () -> String in
      var text = ""
      while !text.contains("/_sim/stats") {
        let chunk = reader.availableData
        if chunk.isEmpty { break }
        text += String(decoding: chunk, as: UTF8.self)
      }
      return text
    }
    let watchdog = Task {
      try await Task.sleep(for: .seconds(30))
      process.terminate()  // Closes the pipe, so the reader returns what it has.
    }
    let banner = await reading.value
    watchdog.cancel()
    #expect(banner.contains("admin@vsphere.local"))
    #expect(banner.contains("VMware1!"))
    let url = try #require(
      banner.split(separator: "\n").first { $0.contains("listening on") }?.split(separator: " ").last.map(String.init))
    #expect(url.hasPrefix("http://127.0.0.1:"))

    let about = try await APICaller(baseURL: url).call(.GET, "/iaas/api/about")
    #expect(about.status == 200)

    process.interrupt()
    let exited = try await APICaller(baseURL: url).poll(timeout: .seconds(15)) { process.isRunning ? nil : true }
    #expect(exited)
    #expect(process.terminationStatus == 0)
  }

  @Test func helpListsOnlyCommandsThatWork() throws {
    let process = Process()
    process.executableURL = try Self.executable
    process.arguments = ["--help"]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let subcommands = text.components(separatedBy: "SUBCOMMANDS:").last ?? ""
    let names = subcommands.split(separator: "\n").compactMap { line -> String? in
      line.hasPrefix("  ") && !line.hasPrefix("   ") ? line.split(separator: " ").first.map(String.init) : nil
    }
    #expect(
      Set(names.filter { $0 != "See" }) == [
        "apply", "deploy", "runs", "cancel", "destroy", "validate", "graph", "inputs-schema", "simulator",
      ])
  }

  @Test func badFlagsExitWithTheUsageCode() throws {
    let process = Process()
    process.executableURL = try Self.executable
    process.arguments = ["simulator", "--tls-cert", "only-a-cert.pem"]
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 2, "vra-engine's usage exit code, not ArgumentParser's 64")
  }
}
