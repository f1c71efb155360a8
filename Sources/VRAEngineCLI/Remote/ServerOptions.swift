import ArgumentParser
import Engine
import EngineRuntime
import Logging

/// `--server URL` and `--server-ca FILE`, shared by the commands that can act through a vra-engine
/// server (`apply`, `runs`, `runs show`, `cancel`, `destroy`). With a server (the flag or
/// `VRA_ENGINE_SERVER`) the command sends its work to the server's API, and the flags that say
/// where a local run keeps its state and which vRA it talks to are the server's business: giving
/// one of them too is a usage error, not a silent choice between the two.
struct ServerOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Act through this vra-engine server's API instead of locally (default: $\(ServerConnection.serverVariable)). "
        + "The API token comes from $\(ServerConnection.tokenVariable), never from a flag.", valueName: "url"))
  var server: String?

  @Option(
    name: .customLong("server-ca"),
    help: ArgumentHelp(
      "PEM file of the CA that signed the server's certificate, when the system does not trust it (default: "
        + "$\(ServerConnection.caVariable)).", valueName: "file"))
  var serverCA: String?

  /// Where the server comes from, for messages: `--server`, `VRA_ENGINE_SERVER`, or nil (local).
  var source: String? {
    if let server, !server.isEmpty { return "--server" }
    let variable = CommandContext.current.environment[ServerConnection.serverVariable] ?? ""
    return variable.trimmingCharacters(in: .whitespaces).isEmpty ? nil : ServerConnection.serverVariable
  }

  /// Refuses local-only flags given beside a server; `refused` also names flags of the command
  /// itself that have no meaning through a server, each with why.
  func checkUsage(
    localFlags: [String], refused: [(flag: String, reason: String)] = [], command: String
  )
    throws(UsageError)
  {
    guard let source else {
      if serverCA != nil { throw Terminal.usageError("--server-ca goes with --server URL", command: command) }
      return
    }
    let unset = source == "--server" ? "" : " (unset \(ServerConnection.serverVariable) to work locally)"
    if let (flag, reason) = refused.first {
      throw Terminal.usageError("\(flag) does not go with \(source)\(unset): \(reason)", command: command)
    }
    if !localFlags.isEmpty {
      throw Terminal.usageError(
        "\(localFlags.joined(separator: ", ")) \(localFlags.count == 1 ? "does" : "do") not go with \(source)\(unset): "
          + "the server decides where runs keep their state and which vRA they talk to", command: command)
    }
  }

  /// The server to act through, or nil to work locally.
  ///
  /// - Throws: a `RuntimeError` (exit 2) for a bad URL, a missing `VRA_ENGINE_TOKEN`, an unreadable CA file.
  func connection() throws(RuntimeError) -> ServerConnection? {
    try ServerConnection.resolve(server: server, caFile: serverCA, environment: CommandContext.current.environment)
  }

  /// `--server URL` when the server came from the flag (to repeat it in a hint), else nothing:
  /// the environment names it for the next command too.
  func flagForHints(_ connection: ServerConnection) -> String {
    source == "--server" ? " --server \(connection.baseURL)" : ""
  }
}

extension ConnectionOptions {
  /// The flags given that only a local run reads (log settings work either way).
  var localFlagsGiven: [String] {
    var flags: [String] = []
    if config != nil { flags.append("--config") }
    if profile != nil { flags.append("--profile") }
    if endpoint != nil { flags.append("--endpoint") }
    if insecure { flags.append("--insecure") }
    if state != nil { flags.append("--state") }
    if pollMin != nil { flags.append("--poll-min") }
    if pollMax != nil { flags.append("--poll-max") }
    return flags
  }

  /// `--log-level` and `--log-format` for a command that loads no configuration (through a
  /// server): the flags, else `VRA_ENGINE_LOG_LEVEL` and `VRA_ENGINE_LOG_FORMAT`.
  func applyLogSettings() {
    func variable(_ key: SettingKey) -> String? {
      ConfigCatalog.keys.first { $0.key == key }.flatMap { CommandContext.current.environment[$0.environmentName] }
    }
    if let level = (logLevel ?? variable(.logLevel)).flatMap({ Logger.Level(rawValue: $0.lowercased()) }) {
      LogControl.shared.level = level
    }
    if let format = (logFormat ?? variable(.logFormat)).flatMap(LogControl.Format.init(rawValue:)) {
      LogControl.shared.format = format
    }
  }
}

extension StateOptions {
  var localFlagsGiven: [String] {
    [("--config", config), ("--profile", profile), ("--state", state)].compactMap { $0.1 == nil ? nil : $0.0 }
  }
}

extension TelemetryOptions {
  var localFlagsGiven: [String] {
    [("--metrics-port", metricsPort.map(String.init)), ("--metrics-host", metricsHost)].compactMap {
      $0.1 == nil ? nil : $0.0
    }
  }
}
