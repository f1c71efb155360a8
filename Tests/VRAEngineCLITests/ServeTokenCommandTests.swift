import EngineServer
import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// `ServeTokenCommand` is not registered under `vra-engine` yet (it becomes `serve token`), so it
/// is run here as its own root, through the same usage check and error reporting as `main`.
@Suite("serve token create")
struct ServeTokenCommandTests {
  static func run(_ arguments: [String]) -> CLIHarness.Outcome {
    let capture = CLIHarness.Capture()
    let context = CommandContext(
      environment: [:], currentDirectory: FileManager.default.temporaryDirectory.path,
      output: TerminalSink(write: capture.write, isTerminal: { _ in false }), standardInputIsTerminal: false)
    let status = CommandContext.$current.withValue(context) { () -> Int32 in
      do {
        var command = try ServeTokenCommand.parseAsRoot(arguments)
        if let checked = command as? any UsageChecked { try checked.checkUsage() }
        try command.run()
        return 0
      } catch {
        return VRAEngineCommand.exitStatus(reporting: error, arguments: arguments)
      }
    }
    return CLIHarness.Outcome(
      status: status, stdout: capture.text(of: .standardOutput), stderr: capture.text(of: .standardError))
  }

  @Test("prints a new token once on stdout, and its hash line and a warning on stderr")
  func create() async throws {
    let outcome = Self.run(["create", "--tenant", "team-a"])
    #expect(outcome.status == 0)
    let token = outcome.stdout.trimmingCharacters(in: .newlines)
    #expect(token.hasPrefix("vre_") && token.count == 47)
    #expect(!outcome.stderr.contains(token))
    #expect(outcome.stderr.contains(#"tokens: ["\#(APIToken.hashLine(of: token))"]"#))
    #expect(outcome.stderr.contains("shown only once"))
    let again = Self.run(["create", "--tenant", "team-a"])
    #expect(again.stdout != outcome.stdout)
  }

  @Test("with --config, a tenant the file does not declare is refused (exit 2), naming the file")
  func undeclaredTenant() async throws {
    let path = try Scratch.file("serve.yaml", "tenants:\n  - name: team-a\n  - name: team-b\n")
    let accepted = Self.run(["create", "--tenant", "team-b", "--config", path])
    #expect(accepted.status == 0)

    let refused = Self.run(["create", "--tenant", "team-c", "--config", path])
    #expect(refused.status == 2)
    #expect(refused.stdout.isEmpty)
    #expect(refused.stderr.contains("error: \(path) declares no tenant 'team-c' (tenants: team-a, team-b)"))

    let broken = try Scratch.file("serve.yaml", "tenants:\n  - nam: team-a\n")
    let invalid = Self.run(["create", "--tenant", "team-a", "--config", broken])
    #expect(invalid.status == 2)
    #expect(invalid.stdout.isEmpty)
    #expect(invalid.stderr.contains("tenants[0].nam: unknown key; did you mean 'name'?"))

    let badName = Self.run(["create", "--tenant", "Team A"])
    #expect(badName.status == 2)
    #expect(badName.stderr.contains("'Team A' is not a tenant name"))
  }
}
