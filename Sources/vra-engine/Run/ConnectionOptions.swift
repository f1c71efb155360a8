import ArgumentParser
import Engine
import Foundation

/// `--endpoint`, `--insecure` and `--state`, shared by the commands that talk to vRA.
struct ConnectionOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "vRA URL (default: $VRA_URL). Credentials come from VRA_REFRESH_TOKEN, or VRA_USERNAME + VRA_PASSWORD "
        + "(+ VRA_DOMAIN), or VRA_ACCESS_TOKEN. With neither, the embedded simulator is used.", valueName: "url"))
  var endpoint: String?

  @Flag(help: "Skip TLS certificate verification (self-signed lab installs only).") var insecure = false

  @Option(help: ArgumentHelp("The state database.", valueName: "file")) var state: String = SQLStateStore.defaultPath

  /// Where the embedded simulator keeps its state: beside the engine state.
  var stateDirectory: URL { URL(fileURLWithPath: state).deletingLastPathComponent() }
}
