import ArgumentParser
import CloudTemplate
import EngineRuntime

/// `vra-engine inputs-schema`: what vRA's `GET /blueprint/api/blueprints/{id}/inputs-schema` returns.
struct InputsSchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inputs-schema",
    abstract: "Print the JSON Schema of a template's inputs, as vRA's /inputs-schema endpoint returns it.",
    discussion: """
      Inputs without a default are required and unknown inputs are refused (additionalProperties: false), \
      the rules `vra-engine validate` applies. Keys are sorted, so the output is stable.

      Exit codes: 0 ok, 2 unreadable or unparsable template.

      Example: vra-engine inputs-schema web.yaml > web.inputs.schema.json
      """)

  @Argument(help: "The cloud template (YAML).") var template: String

  @OptionGroup var limitOptions: TemplateLimitOptions

  func validate() throws {
    try limitOptions.check(command: "inputs-schema")
  }

  func run() throws {
    let parsed = try Terminal.parseTemplate(template, limits: limitOptions.limits)
    OutputJSON.print(InputsSchema.jsonSchema(for: parsed))
  }
}
