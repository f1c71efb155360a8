import ArgumentParser
import CloudTemplate
import EngineRuntime
import Foundation

/// `--input name=value` (repeatable) and `--inputs FILE`, shared by `validate` and `deploy`; with
/// the `VRA_INPUT_<NAME>` environment variables they make the `InputSources` of a command.
struct InputOptions: ParsableArguments {
  @Option(
    name: .customLong("input"),
    help: ArgumentHelp("An input value; repeat for more inputs.", valueName: "name=value"))
  var values: [String] = []

  @Option(
    name: .customLong("inputs"),
    help: ArgumentHelp("A YAML or JSON file mapping input names to values.", valueName: "file"))
  var file: String?

  /// The three sources, highest precedence first: flags, the file, the environment.
  func sources(
    limits: ParseLimits, environment: [String: String] = CommandContext.current.environment
  )
    -> InputSources
  {
    InputSources(flags: values, file: file, environment: environment, limits: limits)
  }
}
