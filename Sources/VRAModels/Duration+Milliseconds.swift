extension Duration {
  /// Whole milliseconds, the fraction dropped: what logs (`http.duration_ms`), the state store and
  /// configuration text use.
  public var milliseconds: Int64 {
    let (seconds, attoseconds) = components
    return seconds * 1000 + attoseconds / 1_000_000_000_000_000
  }
}
