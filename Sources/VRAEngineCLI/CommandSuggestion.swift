import ArgumentParser
import CloudTemplate

/// `vra-engine aply plan.yaml`: a word where a command name belongs that names no command. Said
/// as such, with the nearest command by edit distance, instead of ArgumentParser's "2 unexpected
/// arguments".
enum CommandSuggestion {
  /// A command's name, the names it answers to, and its subcommands.
  private struct Node {
    var name: String
    var names: [String]
    var subcommands: [any ParsableCommand.Type]

    init(_ type: any ParsableCommand.Type) {
      let configuration = type.configuration
      name = type._commandName
      names = [name] + configuration.aliases
      subcommands = configuration.subcommands
    }
  }

  /// The message for the first word of `arguments` that should name a (sub)command and does not;
  /// nil when every such word names one (the parse failed for another reason).
  static func unknownCommand(in arguments: [String]) -> String? {
    var node = Node(VRAEngineCommand.self)
    var path = [node.name]
    for word in arguments {
      if word.hasPrefix("-") || node.subcommands.isEmpty { return nil }
      let children = node.subcommands.map(Node.init)
      if let next = children.first(where: { $0.names.contains(word) }) {
        node = next
        path.append(next.name)
        continue
      }
      // ArgumentParser's own `help` command (`vra-engine help apply`).
      if word == "help" { return nil }
      let known = children.map(\.name)
      let parent = path.joined(separator: " ")
      var message = "error: '\(word)' is not a \(parent) command"
      if let suggestion = NameSuggester.suggestion(for: word, among: known) {
        message += "; did you mean '\(suggestion)'?"
      } else {
        message += " (commands: \(known.joined(separator: ", ")))"
      }
      return message + "\nsee '\(parent) --help'"
    }
    return nil
  }
}
