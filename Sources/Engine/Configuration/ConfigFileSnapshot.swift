import Configuration
import Foundation

/// A checked `ConfigFile` as a swift-configuration snapshot, so `ReloadingFileProvider` can watch
/// the file and the layered reader can serve it. swift-configuration has no TOML snapshot; this one
/// serves TOML and YAML alike, from our positioned readers.
///
/// A file with problems still makes a snapshot (serving nothing) rather than throwing: the
/// reloading provider would swallow the error at debug level, and the reloader must log why an
/// edit was refused (see `ConfigurationReloader`).
public final class ConfigFileSnapshot: FileConfigSnapshot {
  public struct ParsingOptions: FileParsingOptions {
    /// Names the file in problems, and its extension picks the format.
    public var path: String

    public init(path: String) { self.path = path }

    public static var `default`: ParsingOptions { ParsingOptions(path: "vra-engine.toml") }
  }

  public let providerName: String
  public let file: ConfigFile

  public init(file: ConfigFile, providerName: String) {
    self.file = file
    self.providerName = providerName
  }

  public convenience init(data: RawSpan, providerName: String, parsingOptions: ParsingOptions) throws {
    let bytes = data.withUnsafeBytes { Data($0) }
    let url = URL(fileURLWithPath: parsingOptions.path)
    let file: ConfigFile
    if let text = String(data: bytes, encoding: .utf8) {
      file = ConfigFile.parse(text, path: parsingOptions.path, format: PlanFormat(fileExtension: url.pathExtension))
    } else {
      file = ConfigFile(
        path: parsingOptions.path, entries: [:], profiles: [], defaultProfile: nil,
        problems: [ConfigProblem(source: parsingOptions.path, location: nil, key: "", message: "the file is not UTF-8")]
      )
    }
    self.init(file: file, providerName: providerName)
  }

  public func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
    let name = key.components.joined(separator: ".")
    guard file.problems.isEmpty, let entry = file.entries[name] else {
      return LookupResult(encodedKey: name, value: nil)
    }
    let parts = name.split(separator: ".")
    let spec = ConfigCatalog.spec(parts.first == "profiles" ? parts.dropFirst(2).joined(separator: ".") : name)
    let content: ConfigContent? =
      switch type {
      case .string: .string(entry.text)
      case .int: Int(entry.text).map(ConfigContent.int)
      case .bool: Bool(entry.text).map(ConfigContent.bool)
      case .double: Double(entry.text).map(ConfigContent.double)
      default: nil
      }
    guard let content else { throw ConfigFileLookupError(key: name, type: type) }
    return LookupResult(encodedKey: name, value: ConfigValue(content, isSecret: spec?.isSecret ?? false))
  }

  public var description: String { "\(providerName)[\(file.path), \(file.entries.count) values]" }
  public var debugDescription: String { description }
}

/// A file value read as a type it cannot be (never by vra-engine, which reads text).
struct ConfigFileLookupError: Error, CustomStringConvertible {
  var key: String
  var type: ConfigType
  var description: String { "\(key) cannot be read as \(type.rawValue)" }
}
