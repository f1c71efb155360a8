import Foundation

/// The syntax of a plan file.
public enum PlanFormat: String, Sendable, Hashable, CaseIterable {
  case yaml
  case toml

  /// `.toml` files are TOML; everything else (`.yaml`, `.yml`, `.json`, ...) is read as YAML, a superset of JSON.
  public init(fileExtension: String) {
    self = fileExtension.lowercased() == "toml" ? .toml : .yaml
  }
}
