import ArgumentParser
import Foundation
import VRAModels

/// `--output text|json`, the same on every command that prints data. ArgumentParser refuses any
/// other value (`--output yaml`) before the command runs, with one message for every command, and
/// the refusal exits 2 like every usage error.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
  case text, json

  static let help = ArgumentHelp("Report format: text or json.", valueName: "text|json")
}

/// The one way the CLI writes JSON: sorted keys, pretty (two spaces), vRA's timestamp format, slashes
/// as they are. Reports, graphs, schemas and diagnostics all go through `render`, so `jq` and a
/// diff see the same layout whatever the command.
enum OutputJSON {
  static func render(_ value: some Encodable) -> String {
    do {
      return String(decoding: try VRAJSON.makeEncoder(pretty: true).encode(value), as: UTF8.self)
    } catch {
      // Only a non-finite number fails to encode: still a JSON document, saying so.
      return render(["error": "cannot encode the report as JSON: \(error)"])
    }
  }

  /// Prints `value` on stdout as JSON.
  static func print(_ value: some Encodable) {
    Terminal.out(render(value))
  }
}
