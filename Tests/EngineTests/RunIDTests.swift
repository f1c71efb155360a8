import Engine
import RunState
import Testing

@Suite struct RunIDTests {
  @Test func generatedIdsAreShortHexAndDistinct() {
    let ids = (0..<1000).map { _ in RunID.generate() }
    #expect(ids.allSatisfy { $0.rawValue.count == 8 && $0.rawValue.allSatisfy(\.isHexDigit) })
    #expect(Set(ids).count > 990, "32 random bits rarely collide in 1000 draws")
  }
}
