import Foundation
import VRAModels

/// The coders the client uses, made once: configured coders are `Sendable` and safe to
/// share between concurrent calls.
enum VRAJSONCoding {
  static let encoder = VRAJSON.makeEncoder()
  static let decoder = VRAJSON.makeDecoder()
}
