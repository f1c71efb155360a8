import ArgumentParser
import EngineRuntime
import Foundation
import VRAClient
import VRAModels

/// The `vra-engine` command line: thin wrappers that parse flags and call the modules.
public struct VRAEngineCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "vra-engine",
    abstract: "Validate, deploy and track VMware vRealize Automation 8 / Aria Automation cloud templates.",
    discussion: """
      Exit codes: 0 ok, 1 deployment failed, 2 usage or validation error, 3 auth or connectivity, \
      130 cancelled.

      Examples:
        vra-engine validate web.yaml --input size=large
        vra-engine apply plan.yaml
        vra-engine --generate-completion-script bash > /etc/bash_completion.d/vra-engine
      """,
    version: VRAEngineVersion.current,
    subcommands: CommandRegistry.all
  )

  public init() {}

  /// The process entry point (`vra-engine`'s main.swift): parses, runs, and exits with the documented codes.
  public static func runProcess() async {
    LogSetup.bootstrap
    let status = await main(arguments: Array(CommandLine.arguments.dropFirst()))
    // The process-wide HTTP client closes its connections cleanly before the process exits.
    await SharedHTTPClient.shutdown()
    Foundation.exit(status)
  }

  /// Parses `arguments` (without the program name), runs the command, and returns the status the
  /// process exits with, after printing what the error says. The process and the in-process tests
  /// (`CLIHarness`) both come through here, so they cannot disagree about an exit code.
  static func main(arguments: [String]) async -> Int32 {
    do {
      var command = try parseAsRoot(arguments)
      if let checked = command as? any UsageChecked { try checked.checkUsage() }
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
      return ExitCodes.ok.rawValue
    } catch {
      return exitStatus(reporting: error, arguments: arguments)
    }
  }

  /// Prints what `error` says (help and the version on stdout, problems on stderr) and returns the
  /// exit status: the runtime's classification, else ArgumentParser's, except 2 (not 64, EX_USAGE)
  /// for flags it cannot parse, since vra-engine documents 2 for every usage error.
  static func exitStatus(reporting error: any Error, arguments: [String]) -> Int32 {
    if let error = error as? RuntimeError {
      // The runtime words its errors for a person and classifies them; the CLI shows them.
      Terminal.err(error.message)
      return error.status.rawValue
    }
    if let usage = error as? UsageError {
      Terminal.err(usage.description)
      return ExitCodes.usageOrValidation.rawValue
    }
    let code = exitCode(for: error)
    if code == .validationFailure {
      Terminal.err(CommandSuggestion.unknownCommand(in: arguments) ?? fullMessage(for: error, columns: nil))
      return ExitCodes.usageOrValidation.rawValue
    }
    let text = fullMessage(for: error, columns: nil)
    if code == .success {
      if !text.isEmpty { CommandContext.current.output.write(.standardOutput, text + "\n") }
    } else if !text.isEmpty {
      Terminal.err(text)
    }
    return code.rawValue
  }
}

/// A command whose flags are checked once they are parsed, before `run()`, with problems reported
/// as `UsageError`s (exit 2). Not in `validate()`: ArgumentParser shows `--help` after validating,
/// and a problem found there would be printed beside the help.
protocol UsageChecked {
  func checkUsage() throws(UsageError)
}

/// A usage problem in the flags: the message and where to read more; exit code 2.
struct UsageError: Error, CustomStringConvertible {
  var message: String
  var command: String

  var description: String { "error: \(message)\nsee 'vra-engine \(command) --help'" }
}
