import Foundation
import VRAModels

/// Parses JSON into a `JSONValue` through `JSONSerialization`, which is compiled optimised: the
/// `Decodable` path (one failed `try?` per candidate type for every value) costs tens of milliseconds
/// per body in a debug build, and the fidelity check parses every body the simulator sends.
enum FastJSON {
  static func parse(_ data: Data) -> JSONValue? {
    guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
      return nil
    }
    return convert(object)
  }

  private static func convert(_ object: Any) -> JSONValue {
    switch object {
    case let text as String:
      return .string(text)
    case let number as NSNumber:
      // JSONSerialization boxes booleans as NSNumber of type "c" (char), never other numbers.
      switch String(cString: number.objCType) {
      case "c": return .bool(number.boolValue)
      case "d", "f": return .double(number.doubleValue)
      default: return Int(exactly: number).map(JSONValue.int) ?? .double(number.doubleValue)
      }
    case let array as [Any]:
      return .array(array.map(convert))
    case let dictionary as [String: Any]:
      return .object(dictionary.mapValues(convert))
    default:
      return .null  // NSNull
    }
  }
}
