/// Equality as JSON Schema defines it for `enum`, `const` and `uniqueItems`: 1 equals 1.0, true does not equal 1.
enum JSONEquality {
  static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.int(let a), .int(let b)): return a == b
    case (.int, .double), (.double, .int), (.double, .double): return lhs.doubleValue == rhs.doubleValue
    case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
    case (.object(let a), .object(let b)):
      return a.count == b.count && a.allSatisfy { key, value in b[key].map { equal(value, $0) } ?? false }
    default: return lhs == rhs
    }
  }
}
