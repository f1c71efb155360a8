import Foundation

/// What a command reads from and writes to outside its flags: the environment, the directory it
/// looks for `vra-engine.toml` and `.vra-engine/` from, and the terminal it writes to. A process
/// has one (`process`); `CLIHarness` binds another for each command it runs in a test (and a
/// `LogControl` of its own), so commands running side by side in one test process share neither
/// output nor settings, and never touch the test process's real stdout or environment.
struct CommandContext: Sendable {
  var environment: [String: String]
  /// Where `vra-engine.toml` and the project's `.vra-engine/` are looked for. Paths given as
  /// arguments are opened as they are (relative to the process's real working directory).
  var currentDirectory: String
  var output: TerminalSink
  /// Whether a person could answer a question on standard input (`destroy` asks for confirmation).
  var standardInputIsTerminal: Bool

  /// The process's own: its environment, working directory, stdout and stderr.
  static let process = CommandContext(
    environment: ProcessInfo.processInfo.environment,
    currentDirectory: FileManager.default.currentDirectoryPath, output: .process,
    standardInputIsTerminal: isatty(STDIN_FILENO) == 1)

  @TaskLocal static var current = CommandContext.process
}

/// Where the CLI's text goes: standard output and standard error, and whether each is a terminal.
struct TerminalSink: Sendable {
  enum Stream: Sendable, Hashable {
    case standardOutput, standardError
  }

  let write: @Sendable (Stream, String) -> Void
  /// True when a person is looking at the stream: the progress table redraws in place, `graph`
  /// draws text.
  let isTerminal: @Sendable (Stream) -> Bool

  static let process = TerminalSink(
    write: { stream, text in
      let handle = stream == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
      handle.write(Data(text.utf8))
    },
    isTerminal: { stream in isatty(stream == .standardOutput ? STDOUT_FILENO : STDERR_FILENO) == 1 })
}
