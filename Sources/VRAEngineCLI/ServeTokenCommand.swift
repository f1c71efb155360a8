import ArgumentParser
import EngineServer

/// `vra-engine serve token create --tenant NAME [--config serve.yaml]`: a new API token for a
/// tenant of `serve`.
///
/// The token is printed once, on stdout (so `> token.txt` or a CI secret store takes it alone);
/// the server only ever stores its hash, and the line to paste under the tenant goes to stderr.
struct ServeTokenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token",
    abstract: "Create API tokens for the tenants of `vra-engine serve`.",
    discussion: """
      Example:
        vra-engine serve token create --tenant team-a --config serve.yaml > team-a.token
      """,
    subcommands: [Create.self])

  struct Create: ParsableCommand, UsageChecked {
    static let configuration = CommandConfiguration(
      commandName: "create",
      abstract: "Print a new API token for a tenant, and the hash line serve.yaml lists for it.",
      discussion: """
        The token goes to stdout, once: it cannot be recovered from its hash. stderr shows the line \
        to paste under the tenant in serve.yaml (tokens: ["sha256:…"]); the server picks it up \
        without a restart. With --config, a tenant the file does not declare is refused.

        Example: vra-engine serve token create --tenant team-a --config serve.yaml > team-a.token
        """)

    @Option(help: "The tenant the token proves (tenants[].name in serve.yaml).") var tenant: String
    @Option(help: "serve.yaml: refuse a tenant it does not declare.") var config: String?

    func checkUsage() throws(UsageError) {
      guard TenantConfiguration.isValidName(tenant) else {
        throw Terminal.usageError(
          "'\(tenant)' is not a tenant name: lowercase letters, digits and '-', starting with a letter or digit",
          command: "serve token create")
      }
    }

    func run() throws {
      if let config {
        let serve: ServeConfiguration
        do {
          serve = try ServeConfiguration.load(path: config)
        } catch {
          Terminal.err(error.problems.map { "error: \($0)" }.joined(separator: "\n"))
          throw ExitCodes.usageOrValidation
        }
        guard serve.tenant(named: tenant) != nil else {
          let declared = serve.tenants.map(\.name).joined(separator: ", ")
          Terminal.err(
            "error: \(serve.file) declares no tenant '\(tenant)' (tenants: \(declared)); "
              + "add it under tenants: first")
          throw ExitCodes.usageOrValidation
        }
      }
      let token = APIToken.generate()
      Terminal.out(token)
      Terminal.err(
        """
        Add this line under tenant '\(tenant)' in \(config ?? "serve.yaml") (or its hash to an existing tokens: list):
          tokens: ["\(APIToken.hashLine(of: token))"]
        warning: the token is shown only once; the server keeps only its hash, and it cannot be recovered.
        """)
    }
  }
}
