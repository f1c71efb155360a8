import ArgumentParser
import CloudTemplate
import EngineRuntime
import Foundation
import Logging

/// Everything the CLI prints leaves through here: results on stdout, messages on stderr, both
/// after the process's redactor, to the task's `CommandContext` output (the process's own
/// stdout and stderr, or a test's capture).
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
  static func write(_ text: String, to stream: TerminalSink.Stream) {
    CommandContext.current.output.write(stream, OutputRedaction.redactor.redact(text))
  }

  /// Whether a person is looking at `stream` (not a pipe, a file or a test's capture).
  static func isTerminal(_ stream: TerminalSink.Stream) -> Bool {
    CommandContext.current.output.isTerminal(stream)
  }

  /// Whether escape sequences may be written to `stream`: only to a terminal, and not when
  /// `NO_COLOR` is set (no-color.org) or `TERM` is `dumb`. The CLI writes no colour at all; its only
  /// escapes are the live progress table's cursor moves, which this turns into plain lines.
  static func allowsEscapes(_ stream: TerminalSink.Stream) -> Bool {
    let environment = CommandContext.current.environment
    return isTerminal(stream) && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
  }

  /// A usage problem in a flag's value, thrown from `validate()`: printed (with where to read
  /// more) once parsing is over, exit code 2. Printing it in `validate()` would print it under
  /// `--help` too, which ArgumentParser answers after validating.
  static func usageError(_ message: String, command: String) -> UsageError {
    UsageError(message: message, command: command)
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

  func check(command: String) throws(UsageError) {
    guard maxSize > 0 else { throw Terminal.usageError("--max-size must be greater than 0", command: command) }
  }
}
