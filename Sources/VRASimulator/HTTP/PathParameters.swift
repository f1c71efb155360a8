import Hummingbird

extension SimulatorContext {
  /// A path parameter, percent-decoded as Spring decodes it for vRA (`names/my%20app` names
  /// `my app`); Hummingbird hands them over as sent. Every route reads its parameters through this.
  func pathParameter(_ name: String) throws -> String {
    let raw = try parameters.require(name)
    return raw.removingPercentEncoding ?? raw
  }
}
