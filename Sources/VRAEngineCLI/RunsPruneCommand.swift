import ArgumentParser
import Engine
import EngineRuntime
import Foundation
import RunState

extension RunsCommand {
  /// `vra-engine runs prune`: forget runs that sent nothing, or that ended long ago.
  struct Prune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "prune",
      abstract: "Remove runs from the state database: those that sent nothing to vRA, or ended before --older-than.",
      discussion: """
        A run that sent nothing (a wrong password, an unknown project) has no stage that ever reached vRA. \
        With --older-than, runs that ended that long ago go too, whatever they did; their deployments are \
        not touched (destroy them first if they must go). Runs a live process owns, and runs still in \
        flight in vRA, are never pruned. --dry-run lists what would go.

        Example: vra-engine runs prune --older-than 30d
        """)

    @OptionGroup var location: StateOptions
    @Option(help: ArgumentHelp("Also remove runs that ended longer ago than this (90m, 12h, 30d).", valueName: "age"))
    var olderThan: String?
    @Flag(help: "List the runs that would be removed, then exit.") var dryRun = false

    func validate() throws {
      if let olderThan, Self.age(olderThan) == nil {
        throw ValidationError("--older-than must be an age such as 90m, 12h or 30d, not '\(olderThan)'")
      }
    }

    /// `30d`, `12h`, `90m`, `45s` as seconds.
    static func age(_ text: String) -> TimeInterval? {
      let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
      guard let unit = text.last.flatMap({ units[$0] }), let count = Double(text.dropLast()), count >= 0 else {
        return nil
      }
      return count * unit
    }

    func run() async throws {
      let state = try await location.stateConnection()
      try await StateAccess.withExisting(state) { store in try await StateAccess.reading { try await prune(store) } }
    }

    private func prune(_ store: SQLStateStore) async throws {
      let cutoff = olderThan.flatMap(Self.age).map { Date().addingTimeInterval(-$0) }
      let pruned = try await RunPruner.prune(store, endedBefore: cutoff, dryRun: dryRun)
      for item in pruned {
        let why = item.sentNothing ? "sent nothing" : "ended before the cutoff"
        Terminal.out((dryRun ? "would remove " : "removed ") + "\(item.run.id) (\(item.run.status), \(why))")
      }
      Terminal.err(
        pruned.isEmpty ? "nothing to prune" : "\(dryRun ? "would remove" : "removed") \(pruned.count) run(s)")
    }
  }
}
