import ArgumentParser
import VRAModels

/// The `vra-engine` command line: thin wrappers that parse flags and call the modules.
@main
struct VRAEngineCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vra-engine",
    abstract: "Validate, deploy and track VMware vRealize Automation 8 / Aria Automation cloud templates.",
    discussion: """
      Exit codes: 0 ok, 1 deployment failed, 2 usage or validation error, 3 auth or connectivity, \
      130 cancelled.
      """,
    version: VRAEngineVersion.current,
    subcommands: CommandRegistry.all
  )
}
