import ArgumentParser
import Engine
import Foundation

/// What `destroy` lists before it deletes anything, and the confirmation it asks for: the same for
/// a run of the local state and a run on a server (`--server`).
enum DestroyConfirmation {
  /// Lists `items` (where the run ran: `place`), then asks. Returns false for `--dry-run` (listed
  /// only); throws exit 2 when not confirmed, or when there is no terminal to ask and no `-y`.
  static func confirm(
    runId: String, status: String, place: String, items: [RunDestroyer.Item], dryRun: Bool, autoApprove: Bool
  ) throws -> Bool {
    Terminal.err(
      items.isEmpty
        ? "run \(runId) (\(status)) created nothing that is left in vRA (\(place))"
        : "run \(runId) (\(status)) on \(place): destroy will delete")
    for item in items {
      let what =
        item.deploymentId.map { "deployment \(item.deploymentName ?? "?") (\($0))" }
        ?? "deployment named \(item.deploymentName ?? "?") (looked up by name)"
      Terminal.err("  \(item.stage): \(what)\(item.inFlight ? ", cancelled first (still in flight)" : "")")
    }
    if dryRun { return false }
    guard !items.isEmpty, !autoApprove else { return true }
    guard CommandContext.current.standardInputIsTerminal else {
      Terminal.err("error: destroy needs --auto-approve (-y) when not run from a terminal; nothing was deleted")
      throw ExitCodes.usageOrValidation
    }
    Terminal.err("Delete these deployments? Type yes to confirm:")
    guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
      Terminal.err("not confirmed; nothing was deleted")
      throw ExitCodes.usageOrValidation
    }
    return true
  }
}
