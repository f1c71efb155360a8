/// Comparisons whose duration does not depend on where two values differ, so timing a refused
/// token tells nothing about how close it was to a configured one.
enum ConstantTime {
  static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
  }
}
