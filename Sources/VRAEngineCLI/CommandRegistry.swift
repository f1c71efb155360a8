import ArgumentParser
import EngineRuntime

/// Every subcommand `vra-engine --help` lists. Only commands that work belong here.
enum CommandRegistry {
  static let all: [any ParsableCommand.Type] = [
    ApplyCommand.self,
    PlanCommand.self,
    EnvsCommand.self,
    DeployCommand.self,
    ActionsCommand.self,
    ActionCommand.self,
    RunsCommand.self,
    CancelCommand.self,
    DestroyCommand.self,
    ValidateCommand.self,
    GraphCommand.self,
    InputsSchemaCommand.self,
    ConfigCommand.self,
    SimulatorCommand.self,
    ServeCommand.self,
    VersionCommand.self,
  ]
}
