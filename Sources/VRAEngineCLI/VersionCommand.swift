import ArgumentParser
import VRAModels

/// `vra-engine version` (and `vra-engine --version`): which vra-engine this is.
struct VersionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "version",
    abstract: "Print vra-engine's version.",
    discussion: """
      The same text as `vra-engine --version`; --output json prints {"version"}. The version is also \
      sent to vRA in the User-Agent header.

      Example: vra-engine version --output json
      """)

  @Option(help: OutputFormat.help) var output: OutputFormat = .text

  func run() {
    switch output {
    case .text: Terminal.out(VRAEngineVersion.current)
    case .json: OutputJSON.print(["version": VRAEngineVersion.current])
    }
  }
}
