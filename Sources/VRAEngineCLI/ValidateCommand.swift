import ArgumentParser
import CloudTemplate
import EngineRuntime
import Foundation

/// `vra-engine validate`: the CI gate. Every template error and every input violation, at once.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check a cloud template and a set of input values offline, reporting every error at once.",
    discussion: """
      Input values come from three sources. Highest precedence first:
        1. --input name=value   repeatable; the last one for a name wins
        2. --inputs FILE        a YAML or JSON mapping of input names to values
        3. VRA_INPUT_<NAME>     environment variables; NAME matches an input
                                ignoring case, and characters other than
                                letters and digits read as _ (VRA_INPUT_CPUCOUNT
                                gives cpuCount, VRA_INPUT_VM_NAME gives vm-name)
      A value from a higher source hides the same input in the lower ones.

      Text from --input and the environment is converted strictly to the input's declared type: 5 is an \
      integer, 5.5 is not; only true and false are booleans; arrays and objects are JSON text. Values in \
      the file keep the type they are written with (count: "5" is a string). Inputs without a default \
      are required; unknown names are errors, except environment variables, which are warnings (CI \
      environments are shared). Values of encrypted inputs are never printed.

      Text output is one compiler-style line per finding, `file:line:column: error: message [path]`; \
      --output json prints {"valid", "errors": [{"path", "message", "line", "column", "code", "file", ...}], \
      "warnings": [...], "secrets": [{"name", "path", "line", "column", "file", "message"}]}. Each ${secret.X} \
      reference is listed (text: an info line), never resolved: vRA resolves it at request time.

      Exit codes: 0 valid (warnings allowed), 2 invalid template or inputs, unreadable files or bad flags.
      """)

  @Argument(help: "The cloud template (YAML) to check.") var template: String

  @OptionGroup var inputs: InputOptions

  @Option(help: ArgumentHelp("Report format: text or json.", valueName: "text|json")) var output: String = "text"

  @OptionGroup var limitOptions: TemplateLimitOptions

  func validate() throws {
    guard ["text", "json"].contains(output) else {
      throw Terminal.usageError("--output must be text or json, not '\(output)'", command: "validate")
    }
    try limitOptions.check(command: "validate")
  }

  func run() throws {
    let sources = inputs.sources(limits: limitOptions.limits)
    let report = ValidationReport.check(templateAt: template, inputs: sources)
    if output == "json" {
      Terminal.out(JSONText.render(report.jsonValue, pretty: true))
    } else {
      for finding in report.findings { Terminal.out(finding.description) }
      for secret in report.secrets { Terminal.out(secret.description) }
      Terminal.out(summary(of: report))
    }
    if !report.isValid { throw ExitCodes.usageOrValidation }
  }

  private func summary(of report: ValidationReport) -> String {
    func count(_ number: Int, _ word: String) -> String { "\(number) \(word)\(number == 1 ? "" : "s")" }
    let tally = "\(count(report.errors.count, "error")), \(count(report.warnings.count, "warning"))"
    guard report.isValid, let parsed = report.template else { return "\(template): invalid (\(tally))" }
    return
      "\(template): valid (\(count(parsed.resources.count, "resource")), \(count(report.boundInputs.count, "input")) bound; \(tally))"
  }
}
