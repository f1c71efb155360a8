import Foundation
import TestSupport
import Testing
import VRAModels

/// `vra-engine simulator` as a user runs it: a real process that prints its URL and stops on SIGINT.
@Suite struct CommandLineTests {
  @Test func simulatorPrintsURLAndCredentialsServesAndStopsOnSIGINT() async throws {
    let (process, url, banner) = try await Self.launch(["--port", "0", "--time-scale", "0.01"])
    defer { if process.isRunning { process.terminate() } }
    #expect(banner.contains("admin@vsphere.local"))
    #expect(banner.contains("VMware1!"))
    #expect(url.hasPrefix("http://127.0.0.1:"))

    let about = try await APICaller(baseURL: url).call(.GET, "/iaas/api/about")
    #expect(about.status == 200)

    process.interrupt()
    let exited = try await APICaller(baseURL: url).poll(timeout: .seconds(15)) { process.isRunning ? nil : true }
    #expect(exited)
    #expect(process.terminationStatus == 0)
  }

  /// Starts `vra-engine simulator arguments...` and returns it with the URL and the banner it prints.
  static func launch(_ arguments: [String]) async throws -> (process: Process, url: String, banner: String) {
    let process = Process()
    process.executableURL = try VRAEngineBinary.url
    process.arguments = ["simulator"] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
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
    let watchdog = Task {  // the deadline: closing the pipe makes the reader return what it has
      try await Task.sleep(for: .seconds(30))
      process.terminate()
    }
    let banner = await reading.value
    watchdog.cancel()
    guard
      let url = banner.split(separator: "\n").first(where: { $0.contains("listening on") })?.split(separator: " ")
        .last.map(String.init)
    else {
      process.terminate()
      throw PollTimeout(timeout: .seconds(30))
    }
    return (process, url, banner)
  }

  /// SIGINT, then waits (with a deadline) for a clean exit.
  static func interrupt(_ process: Process, via http: APICaller) async throws {
    process.interrupt()
    _ = try await http.poll(timeout: .seconds(15)) { process.isRunning ? nil : true }
    #expect(process.terminationStatus == 0)
  }

  @Test func stateFileRoundTripsThroughARestartOfTheProcess() async throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    let arguments = ["--port", "0", "--time-scale", "0.002", "--state", file]

    let first = try await Self.launch(arguments)
    defer { if first.process.isRunning { first.process.terminate() } }
    let http = APICaller(baseURL: first.url)
    let (token, _) = try await http.login()
    let projects = try await http.call(.GET, "/iaas/api/projects", token: token).decode(Page<Project>.self)
    let projectId = try #require(projects.content.first?.id)
    let blueprint = try await http.call(
      .POST, "/blueprint/api/blueprints", token: token,
      json: ["name": "kept", "projectId": .string(projectId), "content": .string(SampleTemplates.single)])
    #expect(blueprint.status == 201)
    let order = try await http.call(
      .POST, "/blueprint/api/blueprint-requests", token: token,
      json: [
        "blueprintId": try #require(blueprint.json["id"]), "projectId": .string(projectId),
        "deploymentName": "survivor",
      ])
    #expect(order.status == 202)
    let deploymentId = try #require(order.json["deploymentId"]?.stringValue)
    let finished = try await http.poll { () -> Deployment? in
      let deployment = try await http.call(.GET, "/deployment/api/deployments/\(deploymentId)", token: token)
        .decode(Deployment.self)
      return deployment.status == .createSuccessful ? deployment : nil
    }
    try await Self.interrupt(first.process, via: http)
    #expect(FileManager.default.fileExists(atPath: file), "--state writes the file")

    let second = try await Self.launch(arguments)
    defer { if second.process.isRunning { second.process.terminate() } }
    let again = APICaller(baseURL: second.url)
    let (newToken, _) = try await again.login()
    let blueprints = try await again.call(.GET, "/blueprint/api/blueprints", token: newToken)
      .decode(Page<Blueprint>.self)
    #expect(blueprints.content.map(\.name) == ["kept"])
    let restored = try await again.call(.GET, "/deployment/api/deployments/\(deploymentId)", token: newToken)
    #expect(restored.status == 200)
    let deployment = try restored.decode(Deployment.self)
    #expect(deployment.name == "survivor")
    #expect(deployment.status == .createSuccessful)
    #expect(deployment.createdAt == finished.createdAt)
    try await Self.interrupt(second.process, via: again)
  }
}
