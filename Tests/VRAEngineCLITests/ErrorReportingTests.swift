import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// What a user reads when something goes wrong: each thing said once, about the right thing.
@Suite struct ErrorReportingTests {
  /// `deploy ARGUMENTS --template DIR/net.yaml ...` with `environment`, in a new directory.
  static func deploy(environment: [String: String], logLevel: String? = nil) async throws -> CLIHarness.Outcome {
    let directory = try Scratch.files(["net.yaml": EngineTemplates.network], in: Scratch.directory())
    return try await CLIHarness.run(
      [
        "deploy", "--template", directory.path + "/net.yaml", "--project", "Development", "--name", "n-1", "--state",
        directory.path + "/state.db",
      ] + (logLevel.map { ["--log-level", $0] } ?? []), environment: environment, directory: directory)
  }

  /// A wrong password and a refused connection: exit 3, the error once, and no log line saying it
  /// again at the default level. With `--log-level info`, one line for the failed login, under the
  /// login's path (not the projects lookup that needed the token).
  @Test func aFailedLoginIsSaidOnceAndAboutTheLogin() async throws {
    try await SimulatorHarness.with { harness in
      var wrong = CLIHarness.credentials(harness)
      wrong["VRA_PASSWORD"] = "not-the-password-Zk4"
      let closed = try await SimulatorHarness.start()
      let refusedURL = closed.server.baseURL
      await closed.server.stop()
      let refused = ["VRA_URL": refusedURL, "VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!"]

      for (name, environment) in [("wrong password", wrong), ("refused connection", refused)] {
        let run = try await Self.deploy(environment: environment)
        #expect(run.status == 3, "\(name): \(run.everything)")
        let logLines = run.stderr.split(separator: "\n").filter {
          $0.contains("[VRAClient]") || $0.contains(" vra-engine.")
        }
        #expect(logLines.isEmpty, "\(name): no log line repeats the error at the default level: \(logLines)")
        #expect(
          !run.stderr.contains(" critical ") && !run.stderr.contains(" error vra-engine"), "\(name): \(run.stderr)")

        let info = try await Self.deploy(environment: environment, logLevel: "info")
        let failed = info.stderr.split(separator: "\n").filter { $0.contains("vRA call failed") }
        #expect(failed.count == 1, "\(name): one line for the failed call: \(failed)")
        let line = String(failed.first ?? "")
        #expect(line.contains(" info ") && line.contains("http.path=/csp/gateway/am/api/login"), "\(name): \(line)")
        #expect(!line.contains("/project-service/api/projects"), "\(name): \(line)")
      }
    }
  }

  @Test func aMissingPlanOrTemplateIsNamedWithoutAMadeUpPosition() async throws {
    let directory = try Scratch.directory()
    for command in [["apply"], ["validate"], ["graph"], ["inputs-schema"]] {
      let path = directory.path + "/plan.yaml"
      let run = try await CLIHarness.run(command + [path])
      #expect(run.status == 2, "\(command): \(run.everything)")
      #expect(run.everything.hasPrefix("error: \(path): no such file\n"), "\(command): \(run.everything)")
      #expect(!run.everything.contains(":1:1") && !run.everything.contains("could not be completed"))
    }
    let deploy = try await CLIHarness.run([
      "deploy", "--template", directory.path + "/web.yaml", "--project", "Development", "--name", "x",
    ])
    #expect(deploy.status == 2)
    #expect(deploy.stderr.hasPrefix("error: \(directory.path)/web.yaml: no such file\n"), "\(deploy.stderr)")
    let folder = try await CLIHarness.run(["validate", directory.path])
    #expect(folder.stdout.hasPrefix("error: \(directory.path): is a directory\n"), "\(folder.stdout)")
  }
}
