import ArgumentParser

/// Every subcommand `vra-engine --help` lists. Only commands that work belong here.
enum CommandRegistry {
  static let all: [any ParsableCommand.Type] = [
    SimulatorCommand.self
  ]
}
