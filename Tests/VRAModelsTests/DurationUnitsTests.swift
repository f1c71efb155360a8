import Testing
import VRAModels

@Suite struct DurationUnitsTests {
  @Test("milliseconds drop the fraction; seconds keep it")
  func units() {
    #expect(Duration.milliseconds(1500).milliseconds == 1500)
    #expect(Duration.seconds(90).milliseconds == 90_000)
    #expect(Duration.nanoseconds(1_999_999).milliseconds == 1)
    #expect(Duration.milliseconds(-250).milliseconds == -250)
    #expect(Duration.milliseconds(1500).seconds == 1.5)
    #expect(Duration.nanoseconds(1).seconds == 1e-9)
  }
}
