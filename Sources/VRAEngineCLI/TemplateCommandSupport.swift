import ArgumentParser
import CloudTemplate
import EngineRuntime
import Foundation
import Logging

/// Output helpers shared by the template commands (`validate`, `graph`, `inputs-schema`).
enum Terminal {
  static func out(_ text: String) {
    write(text.hasSuffix("\n") ? text : text + "\n", to: .standardOutput)
  }

  /// A message on stderr; with `--log-format json`, one JSON object per line like the log lines,
  /// so everything on stderr parses.
  static func err(_ text: String) {
    guard LogControl.shared.format == .json else {
      write(text.hasSuffix("\n") ? text : text + "\n", to: .standardError)
      return
    }
    write(jsonLines(text, label: "vra-engine"), to: .standardError)
  }

  /// Each line of `text` as a JSON log object (level from an `error:` / `warning:` prefix, else notice).
  static func jsonLines(_ text: String, label: String) -> String {
    text.split(separator: "\n").map { line in
      let level: Logger.Level = line.hasPrefix("error") ? .error : line.hasPrefix("warning") ? .warning : .notice
      return StderrLogHandler.json(level: level, label: label, message: String(line), source: nil) + "\n"
    }.joined()
  }

  /// Writes `text` as it is, after the process's redactor (`OutputRedaction`): results, errors and
  /// the progress display all leave through here.
  static func write(_ text: String, to handle: FileHandle) {
    handle.write(Data(OutputRedaction.redactor.redact(text).utf8))
  }

  /// A usage problem in a flag's value: the message, where to read more, and exit code 2
  /// (ArgumentParser's own parse errors exit with 64, EX_USAGE).
  static func usageError(_ message: String, command: String) -> ExitCode {
    err("error: \(message)\nsee 'vra-engine \(command) --help'")
    return ExitCodes.usageOrValidation
  }

  /// Parses the template or prints every diagnostic to stderr and exits 2.
  static func parseTemplate(_ path: String, limits: ParseLimits) throws(ExitCode) -> Template {
    do {
      return try TemplateParser.parse(contentsOf: URL(fileURLWithPath: path), limits: limits)
    } catch {
      err(error.description)
      throw ExitCodes.usageOrValidation
    }
  }
}

/// `--max-size`, shared by the commands that read a template.
struct TemplateLimitOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Refuse template and inputs files larger than this many bytes.", valueName: "bytes"))
  var maxSize: Int = ParseLimits.default.maxBytes

  var limits: ParseLimits { ParseLimits(maxBytes: maxSize) }

  func check(command: String) throws(ExitCode) {
    guard maxSize > 0 else { throw Terminal.usageError("--max-size must be greater than 0", command: command) }
  }
}
