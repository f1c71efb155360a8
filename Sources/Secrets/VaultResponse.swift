import Foundation

/// One HTTP answer from Vault.
///
/// Vault answers errors as `{"errors": ["..."]}`; the client scrubs its credentials out of them
/// before they are kept in an error.
struct VaultResponse: Sendable {
  let status: Int
  let body: Data

  /// The body as JSON, or nil when it is empty or not JSON.
  var json: VaultJSON? { body.isEmpty ? nil : try? JSONDecoder().decode(VaultJSON.self, from: body) }

  /// The messages of an error answer.
  var errors: [String] { json?["errors"]?.array?.compactMap(\.string) ?? [] }

  /// Whether an error answer says the server is sealed.
  var saysSealed: Bool { errors.contains { $0.localizedCaseInsensitiveContains("sealed") } }
}

/// A JSON value, decoded without losing which kind it was (a secret may hold a number or a
/// boolean, and Foundation's JSONSerialization cannot tell `1` from `true` on every platform).
enum VaultJSON: Sendable, Hashable, Decodable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([VaultJSON])
  case object([String: VaultJSON])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let bool = try? container.decode(Bool.self) {
      self = .bool(bool)
    } else if let number = try? container.decode(Double.self) {
      self = .number(number)
    } else if let string = try? container.decode(String.self) {
      self = .string(string)
    } else if let array = try? container.decode([VaultJSON].self) {
      self = .array(array)
    } else {
      self = .object(try container.decode([String: VaultJSON].self))
    }
  }

  subscript(key: String) -> VaultJSON? {
    if case .object(let object) = self { object[key] } else { nil }
  }

  var string: String? { if case .string(let string) = self { string } else { nil } }
  var array: [VaultJSON]? { if case .array(let array) = self { array } else { nil } }
  var object: [String: VaultJSON]? { if case .object(let object) = self { object } else { nil } }
  var bool: Bool? { if case .bool(let bool) = self { bool } else { nil } }
  var int: Int? {
    switch self {
    case .number(let number): Int(exactly: number.rounded(.towardZero))
    case .string(let string): Int(string)
    default: nil
    }
  }

  /// The value as a secret's text: strings as they are, everything else as compact JSON.
  var text: String {
    switch self {
    case .null: "null"
    case .bool(let bool): bool ? "true" : "false"
    case .number(let number):
      number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    case .string(let string): string
    case .array(let array): "[" + array.map(\.jsonText).joined(separator: ",") + "]"
    case .object(let object):
      "{" + object.keys.sorted().map { Self.quoted($0) + ":" + object[$0]!.jsonText }.joined(separator: ",") + "}"
    }
  }

  private var jsonText: String {
    if case .string(let string) = self { Self.quoted(string) } else { text }
  }

  private static func quoted(_ string: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .withoutEscapingSlashes
    let data = (try? encoder.encode(string)) ?? Data("\"\"".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}
