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
      """,
    version: VRAEngineVersion.current,
    subcommands: CommandRegistry.all
  )

  public init() {}

  /// The process entry point (`vra-engine`'s main.swift): parses, runs, and exits with the documented codes.
  public static func runProcess() async {
    LogSetup.bootstrap
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? any AsyncParsableCommand {
        do {
          try await asyncCommand.run()
        } catch {
          await SharedHTTPClient.shutdown()
          throw error
        }
      } else {
        try command.run()
      }
      // The process-wide HTTP client closes its connections cleanly before the process exits.
      await SharedHTTPClient.shutdown()
    } catch let error as RuntimeError {
      // The runtime words its errors for a person and classifies them; the CLI shows and exits.
      Terminal.err(error.message)
      exit(withError: ExitCodes.code(error.status))
    } catch {
      // ArgumentParser exits 64 (EX_USAGE) for flags it cannot parse; vra-engine documents 2.
      if exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        exit(withError: ExitCodes.usageOrValidation)
      }
      exit(withError: error)
    }
  }
}
