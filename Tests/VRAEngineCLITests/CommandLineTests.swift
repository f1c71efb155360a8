import Foundation
import TestSupport
import Testing
import VRAModels

@testable import VRAEngineCLI

/// The command line itself: help, version, completion, usage errors and misspelled commands.
@Suite struct CommandLineTests {
  @Test func helpListsOnlyCommandsThatWork() async throws {
    let help = try await CLIHarness.run(["--help"])
    #expect(help.status == 0)
    let subcommands = help.stdout.components(separatedBy: "SUBCOMMANDS:").last ?? ""
    let names = subcommands.split(separator: "\n").compactMap { line -> String? in
      line.hasPrefix("  ") && !line.hasPrefix("   ") ? line.split(separator: " ").first.map(String.init) : nil
    }
    #expect(
      Set(names.filter { $0 != "See" }) == [
        "apply", "plan", "envs", "deploy", "actions", "action", "runs", "cancel", "destroy", "validate", "graph",
        "inputs-schema", "config",
        "simulator", "serve", "version",
      ])
  }

  @Test func badFlagsExitWithTheUsageCode() async throws {
    let run = try await CLIHarness.run(["simulator", "--tls-cert", "only-a-cert.pem"])
    #expect(run.status == 2, "vra-engine's usage exit code, not ArgumentParser's 64")
    #expect(run.stderr.contains("--tls-cert and --tls-key go together"))
  }

  /// `deploy --help` is help, not help plus "error: say what to deploy" (the check runs after parsing).
  @Test(arguments: ["deploy", "apply", "graph", "validate", "runs show", "config show"])
  func helpIsOnlyHelp(_ command: String) async throws {
    let help = try await CLIHarness.run(command.split(separator: " ").map(String.init) + ["--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("USAGE: vra-engine \(command)"), "\(help.stdout)")
    #expect(help.stderr.isEmpty, "\(help.stderr)")
    let deploy = try await CLIHarness.run(["deploy"])
    #expect(deploy.status == 2 && deploy.stderr.hasPrefix("error: say what to deploy"), "\(deploy.stderr)")
  }

  /// Every command's help shows how it is used.
  @Test func everyHelpPageHasAnExample() async throws {
    let commands = [
      "", "apply", "deploy", "runs", "runs list", "runs show", "runs watch", "runs prune", "cancel", "destroy",
      "validate", "graph", "inputs-schema", "config", "config show", "config check", "simulator", "serve",
      "serve token", "serve token create", "version",
    ]
    for command in commands {
      let help = try await CLIHarness.run(command.split(separator: " ").map(String.init) + ["--help"])
      #expect(help.status == 0)
      #expect(help.stdout.contains("Example"), "vra-engine \(command) --help has no example")
      #expect(help.stdout.contains("vra-engine \(command)"), "the example runs vra-engine \(command)")
    }
  }

  @Test func versionIsACommandAndAFlag() async throws {
    let flag = try await CLIHarness.run(["--version"])
    let command = try await CLIHarness.run(["version"])
    #expect(flag.status == 0 && command.status == 0)
    #expect(flag.stdout == "\(VRAEngineVersion.current)\n" && command.stdout == flag.stdout)
    let json = try await CLIHarness.run(["version", "--output", "json"])
    #expect(try json.json()["version"] as? String == VRAEngineVersion.current)
  }

  /// The README tells users to install completion with this; it prints a script and exits 0.
  @Test func aCompletionScriptIsGenerated() async throws {
    let script = try await CLIHarness.run(["--generate-completion-script", "bash"])
    #expect(script.status == 0)
    #expect(script.stdout.contains("complete") && script.stdout.contains("apply"))
  }

  @Test(arguments: [
    (["aply", "plan.yaml"], "error: 'aply' is not a vra-engine command; did you mean 'apply'?"),
    (["valdiate", "web.yaml"], "error: 'valdiate' is not a vra-engine command; did you mean 'validate'?"),
    (["runs", "shwo", "abc"], "error: 'shwo' is not a vra-engine runs command; did you mean 'show'?"),
    (["config", "chek", "x.toml"], "error: 'chek' is not a vra-engine config command; did you mean 'check'?"),
    (["frobnicate"], "error: 'frobnicate' is not a vra-engine command (commands: apply, plan, envs, deploy,"),
  ])
  func aMisspelledCommandIsNamedWithTheNearestOne(arguments: [String], message: String) async throws {
    let run = try await CLIHarness.run(arguments)
    #expect(run.status == 2)
    #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
    #expect(!run.stderr.contains("unexpected argument"), "\(run.stderr)")
    #expect(run.stdout.isEmpty)
  }

  /// Flags ArgumentParser cannot parse keep its message (the word was a command): exit 2.
  @Test func anUnknownFlagOfAKnownCommandIsNotAMisspelling() async throws {
    let run = try await CLIHarness.run(["apply", "plan.yaml", "--bogus"])
    #expect(run.status == 2)
    #expect(run.stderr.contains("Unknown option '--bogus'"), "\(run.stderr)")
  }
}
