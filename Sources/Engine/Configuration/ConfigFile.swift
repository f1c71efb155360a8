import CloudTemplate
import Foundation
import VRAModels

/// A config file (TOML or YAML) read and checked against `ConfigCatalog`: its settings flattened to
/// dotted keys with the position each is written at, and every problem found (unknown keys, wrong
/// types, bad values, an unknown `defaultProfile`).
///
/// Files go through the same hardened readers as plans (size limit, alias-bomb budget, positioned
/// syntax errors); swift-configuration's own YAML snapshot knows no positions, which `config check`
/// and a rejected hot-reload edit must report.
public struct ConfigFile: Sendable {
  public struct Entry: Sendable, Hashable {
    /// The value in text form (`4`, `true`, `500ms`), as the layered reader serves it.
    public var text: String
    public var location: SourceLocation

    public init(text: String, location: SourceLocation) {
      self.text = text
      self.location = location
    }
  }

  public let path: String
  /// Settings by dotted key: `polling.min` at the top level, `profiles.lab.polling.min` in a profile.
  public let entries: [String: Entry]
  /// Profile names in file order.
  public let profiles: [String]
  public let defaultProfile: String?
  public let problems: [ConfigProblem]

  /// A file with nothing in it: what a missing optional file reads as.
  public static func empty(path: String) -> ConfigFile {
    ConfigFile(path: path, entries: [:], profiles: [], defaultProfile: nil, problems: [])
  }

  /// Reads and checks `path`; a file that cannot be read is one problem, never a crash.
  public static func read(path: String, limits: ParseLimits = .default) -> ConfigFile {
    let url = URL(fileURLWithPath: path)
    do {
      let text = try YAMLDocument.readText(contentsOf: url, kind: "config", limits: limits)
      return parse(text, path: path, format: PlanFormat(fileExtension: url.pathExtension), limits: limits)
    } catch {
      return failed(path: path, error.diagnostics.map { ($0.message, $0.location, $0.hint) })
    }
  }

  /// Checks config text; `path` names it in problems.
  public static func parse(
    _ text: String, path: String, format: PlanFormat, limits: ParseLimits = .default
  )
    -> ConfigFile
  {
    let root: PlanNode?
    do {
      root =
        switch format {
        case .yaml: try YAMLPlanReader.read(text, file: path, limits: limits)
        case .toml: try TOMLPlanReader.read(text, file: path, limits: limits)
        }
    } catch {
      return failed(path: path, error.diagnostics.map { ($0.message, $0.location, $0.hint) })
    }
    var checker = Checker(path: path)
    checker.top(root)
    return ConfigFile(
      path: path, entries: checker.entries, profiles: checker.profiles, defaultProfile: checker.defaultProfile,
      problems: checker.problems)
  }

  private static func failed(path: String, _ diagnostics: [(String, SourceLocation, String?)]) -> ConfigFile {
    ConfigFile(
      path: path, entries: [:], profiles: [], defaultProfile: nil,
      problems: diagnostics.map {
        ConfigProblem(source: path, location: $1.positioned, key: "", message: $0, hint: $2)
      })
  }

  /// Walks the document: top-level sections and `profiles.NAME.<section>`, nothing else.
  private struct Checker {
    let path: String
    var entries: [String: Entry] = [:]
    var profiles: [String] = []
    var defaultProfile: String?
    var problems: [ConfigProblem] = []
    private var defaultProfileLocation: SourceLocation?

    init(path: String) { self.path = path }

    mutating func top(_ root: PlanNode?) {
      guard let root, !root.isNull else { return }
      guard let entries = root.entries else {
        problem(at: root.location, key: "", "a config file is a mapping of settings, found \(root.kindDescription)")
        return
      }
      for entry in entries {
        switch entry.key {
        case "defaultProfile":
          if case .string(let name)? = entry.value.scalar {
            defaultProfile = name
            defaultProfileLocation = entry.value.location
          } else {
            problem(
              at: entry.value.location, key: "defaultProfile",
              "expected a profile name, found \(entry.value.kindDescription)")
          }
        case "profiles":
          profilesTable(entry.value)
        default:
          settings(entry, prefix: "", written: "")
        }
      }
      if let defaultProfile, !profiles.contains(defaultProfile) {
        problem(
          at: defaultProfileLocation, key: "defaultProfile", "no profile '\(defaultProfile)' in this file",
          hint: NameSuggester.suggestion(for: defaultProfile, among: profiles).map { "did you mean '\($0)'?" }
            ?? (profiles.isEmpty
              ? "add a [profiles.\(defaultProfile)] table" : "profiles: \(profiles.joined(separator: ", "))"))
      }
    }

    mutating func profilesTable(_ node: PlanNode) {
      guard let named = node.entries else {
        problem(
          at: node.location, key: "profiles", "expected a mapping of profile names, found \(node.kindDescription)")
        return
      }
      for profile in named {
        profiles.append(profile.key)
        guard let entries = profile.value.entries else {
          problem(
            at: profile.value.location, key: "profiles.\(profile.key)",
            "a profile is a mapping of settings, found \(profile.value.kindDescription)")
          continue
        }
        for entry in entries {
          settings(entry, prefix: "", written: "profiles.\(profile.key).")
        }
      }
    }

    /// `entry` sits at `prefix` (`polling.` inside the `polling` table); `written` is what comes
    /// before it in the file (`profiles.lab.`), so keys are reported as the user wrote them.
    mutating func settings(_ entry: PlanNode.Entry, prefix: String, written: String) {
      let key = prefix + entry.key
      if let spec = ConfigCatalog.spec(key) {
        value(entry.value, spec: spec, written: written + key)
        return
      }
      let isSection = ConfigCatalog.keys.contains { $0.key.rawValue.hasPrefix(key + ".") }
      if isSection, let children = entry.value.entries {
        for child in children { settings(child, prefix: key + ".", written: written) }
        return
      }
      if isSection {
        problem(
          at: entry.value.location, key: written + key,
          "expected a table of settings, found \(entry.value.kindDescription)")
        return
      }
      let siblings = ConfigCatalog.keys.map(\.key.rawValue).filter { $0.hasPrefix(prefix) }.map {
        String($0.dropFirst(prefix.count))
      }
      let candidates = prefix.isEmpty ? ConfigCatalog.sections + ["defaultProfile", "profiles"] : siblings
      let suggestion = NameSuggester.suggestion(for: entry.key, among: candidates)
      let context = written.hasPrefix("profiles.") && prefix.isEmpty ? " in a profile" : ""
      problem(
        at: entry.keyLocation, key: written + key, "unknown key\(context)",
        hint: suggestion.map { "did you mean '\(written + prefix + $0)'?" }
          ?? "known keys: \(candidates.joined(separator: ", "))")
    }

    mutating func value(_ node: PlanNode, spec: ConfigKeySpec, written: String) {
      guard let scalar = node.scalar, scalar != .null else {
        problem(at: node.location, key: written, "expected \(spec.kind.expectation), found \(node.kindDescription)")
        return
      }
      // The file's own types count: `parallelism = "4"` is a string, not a number.
      let text: String?
      switch (spec.kind, scalar) {
      case (.bool, .bool(let flag)): text = String(flag)
      case (.integer, .int(let number)): text = String(number)
      case (.duration, .int(let seconds)): text = String(seconds)
      case (.duration, .string(let string)), (.string, .string(let string)), (.url, .string(let string)),
        (.secret, .string(let string)), (.path, .string(let string)), (.choice, .string(let string)):
        text = string
      default: text = nil
      }
      guard let text else {
        problem(at: node.location, key: written, "expected \(spec.kind.expectation), found \(node.kindDescription)")
        return
      }
      switch spec.kind.check(text) {
      case .success: entries[written] = Entry(text: text, location: node.textLocation)
      case .failure(let error): problem(at: node.textLocation, key: written, error.message, hint: error.hint)
      }
    }

    mutating func problem(at location: SourceLocation?, key: String, _ message: String, hint: String? = nil) {
      problems.append(ConfigProblem(source: path, location: location, key: key, message: message, hint: hint))
    }
  }
}
