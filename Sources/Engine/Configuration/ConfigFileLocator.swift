import Foundation

/// Finds the config file: `--config`, `$VRA_ENGINE_CONFIG`, `./vra-engine.toml|yaml`,
/// `$XDG_CONFIG_HOME/vra-engine/config.toml|yaml` (`~/.config` without XDG_CONFIG_HOME), in that order.
/// A file named explicitly must exist; the conventional places are optional.
public enum ConfigFileLocator {
  public struct Found: Sendable, Hashable {
    public var path: String
    /// Named by `--config` or `VRA_ENGINE_CONFIG` (so a missing file is an error).
    public var isExplicit: Bool
  }

  public static func locate(
    flag: String?, environment: [String: String], currentDirectory: String = FileManager.default.currentDirectoryPath
  ) -> Found? {
    if let flag { return Found(path: flag, isExplicit: true) }
    if let named = environment["VRA_ENGINE_CONFIG"], !named.isEmpty { return Found(path: named, isExplicit: true) }
    let home = environment["HOME"] ?? NSHomeDirectory()
    let xdg = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.config"
    let candidates =
      ["vra-engine.toml", "vra-engine.yaml"].map { "\(currentDirectory)/\($0)" }
      + ["config.toml", "config.yaml"].map { "\(xdg)/vra-engine/\($0)" }
    return candidates.first { FileManager.default.fileExists(atPath: $0) }.map { Found(path: $0, isExplicit: false) }
  }
}
