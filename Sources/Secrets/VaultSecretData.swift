import Credentials

/// The key/value pairs of one KV v2 secret version, held in memory only.
///
/// Printing it shows the path and the key names, never the values.
public struct VaultSecretData: Sendable, CustomStringConvertible, CustomReflectable {
  public let path: VaultSecretPath
  public let version: Int?
  let values: [String: Secret]

  public init(path: VaultSecretPath, version: Int?, values: [String: Secret]) {
    self.path = path
    self.version = version
    self.values = values
  }

  /// The secret's keys, sorted.
  public var keys: [String] { values.keys.sorted() }

  /// The value of `key`; throws `keyMissing` listing the keys that exist.
  public func value(forKey key: String) throws(VaultError) -> Secret {
    guard let value = values[key] else {
      throw .keyMissing(path: path, key: key, availableKeys: keys)
    }
    return value
  }

  public var description: String { "VaultSecretData(\(path), keys: \(keys))" }
  public var customMirror: Mirror { Mirror(self, children: ["path": path, "keys": keys], displayStyle: .struct) }
}
