import ArgumentParser
import CloudTemplate
import Engine
import EngineRuntime
import Foundation

/// `vra-engine validate`: the CI gate. Every template error and every input violation, at once;
/// or, given a plan, every problem `apply` would refuse it for, checked offline.
struct ValidateCommand: ParsableCommand, UsageChecked {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract:
      "Check a cloud template and a set of input values, or a whole plan, offline, reporting every error at once.",
    discussion: """
      Given a plan (a file with `stages:`, or any .toml file), every check `apply` makes before it \
      sends anything, without reaching vRA: the plan's structure, every template it names, every \
      input that waits on no other stage, references and dependency cycles.

      A template's input values come from three sources. Highest precedence first:
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
      "warnings": [...], "secrets": [{"name", "path", "line", "column", "file", "message"}]} (a plan: \
      {"valid", "errors", "warnings"}, each entry with "stage" when it belongs to one). Each ${secret.X} \
      reference is listed (text: an info line), never resolved: vRA resolves it at request time.

      Exit codes: 0 valid (warnings allowed), 2 invalid template, plan or inputs, unreadable files or bad flags.

      Examples:
        vra-engine validate web.yaml --input size=large --inputs values.yaml
        vra-engine validate plan.yaml --output json
      """)

  @Argument(help: "The cloud template (YAML) or plan (YAML or TOML) to check.") var template: String

  @OptionGroup var inputs: InputOptions

  @Option(help: OutputFormat.help) var output: OutputFormat = .text

  @OptionGroup var limitOptions: TemplateLimitOptions

  func checkUsage() throws(UsageError) {
    try limitOptions.check(command: "validate")
  }

  func run() throws {
    guard DocumentKind.of(template, limits: limitOptions.limits) == .template else {
      return try validatePlan()
    }
    let sources = inputs.sources(limits: limitOptions.limits)
    let report = ValidationReport.check(templateAt: template, inputs: sources)
    GitHubAnnotations.emit(report.findings)
    if output == .json {
      OutputJSON.print(report.jsonValue)
    } else {
      for finding in report.findings { Terminal.out(finding.description) }
      for secret in report.secrets { Terminal.out(secret.description) }
      Terminal.out(summary(of: report))
    }
    if !report.isValid { throw ExitCodes.usageOrValidation }
  }

  /// The checks `apply` makes before sending anything (`PlanLoader.loadValidated`), offline.
  private func validatePlan() throws {
    guard inputs.values.isEmpty, inputs.file == nil else {
      throw Terminal.usageError(
        "\(template) is a plan: its inputs are written in it (--input and --inputs go with a template)",
        command: "validate")
    }
    let diagnostics: [PlanDiagnostic]
    var stages = 0
    do {
      let (plan, warnings) = try PlanLoader.loadValidated(
        contentsOf: URL(fileURLWithPath: template), environment: CommandContext.current.environment,
        limits: limitOptions.limits)
      diagnostics = warnings
      stages = plan.stages.count
    } catch {
      diagnostics = error.diagnostics
    }
    GitHubAnnotations.emit(diagnostics)
    if output == .json {
      OutputJSON.print(PlanCheck.jsonValue(diagnostics))
    } else {
      for diagnostic in diagnostics { Terminal.out(diagnostic.description) }
      let tally = "\(count(diagnostics.errors.count, "error")), \(count(diagnostics.warnings.count, "warning"))"
      Terminal.out(
        diagnostics.hasErrors
          ? "\(template): invalid plan (\(tally))" : "\(template): valid plan (\(count(stages, "stage")); \(tally))")
    }
    if diagnostics.hasErrors { throw ExitCodes.usageOrValidation }
  }

  private func summary(of report: ValidationReport) -> String {
    let tally = "\(count(report.errors.count, "error")), \(count(report.warnings.count, "warning"))"
    guard report.isValid, let parsed = report.template else { return "\(template): invalid (\(tally))" }
    return
      "\(template): valid (\(count(parsed.resources.count, "resource")), \(count(report.boundInputs.count, "input")) bound; \(tally))"
  }

  private func count(_ number: Int, _ word: String) -> String { "\(number) \(word)\(number == 1 ? "" : "s")" }
}
