extension Duration {
  /// This duration in seconds, fractions included (for `Date` arithmetic and metrics).
  public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
