/// A KV v2 secret: the mount it lives in and its path inside the mount.
///
/// `secret/vra` and `secret/data/vra` both parse to mount `secret`, path `vra`; a secret whose
/// own path starts with `data/` must then be written in the explicit form (`secret/data/data/x`).
/// The mount is always the first segment: mounts nested deeper are not supported.
public struct VaultSecretPath: Sendable, Hashable, CustomStringConvertible {
  public let mount: String
  public let path: String

  /// A path with a mount and at least one segment below it.
  public init(mount: String, path: String) {
    self.mount = mount
    self.path = path
  }

  /// Parses the `PATH` part of `vault:PATH#KEY`; `reference` is the whole text, for errors.
  init(parsing text: String, reference: String) throws(SecretReferenceError) {
    guard !text.isEmpty else { throw .vaultPathEmpty(reference: reference) }
    if let bad = text.unicodeScalars.first(where: { Self.forbidden($0) }) {
      throw .vaultPathInvalidCharacter(reference: reference, character: bad.escaped(asASCII: true))
    }
    let segments = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    if segments.contains(where: { $0.isEmpty }) { throw .vaultPathEmptySegment(reference: reference) }
    if segments.contains(where: { $0 == "." || $0 == ".." }) { throw .vaultPathDotSegment(reference: reference) }
    var rest = segments.dropFirst()
    if rest.first == "data" { rest = rest.dropFirst() }
    guard !rest.isEmpty else { throw .vaultPathMountOnly(reference: reference, mount: segments[0]) }
    self.init(mount: segments[0], path: rest.joined(separator: "/"))
  }

  /// `MOUNT/PATH`, the short form.
  public var description: String { "\(mount)/\(path)" }

  /// The HTTP path of a KV v2 read: `/v1/MOUNT/data/PATH`.
  public var dataAPIPath: String { "/v1/\(mount)/data/\(path)" }

  private static func forbidden(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7f
      || "?%\\".unicodeScalars.contains(scalar)
  }
}
