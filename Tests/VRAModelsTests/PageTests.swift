import Foundation
import Testing
import VRAModels

@Suite struct PageTests {
  @Test func slicingComputesTheEnvelopeLikeVRA() {
    let page = Page(slicing: Array(0..<45), skip: 20, top: 20, sorted: true)
    #expect(page.content == Array(20..<40))
    #expect(page.totalElements == 45)
    #expect(page.numberOfElements == 20)
    #expect(page.totalPages == 3)
    #expect(page.number == 1)
    #expect(page.size == 20)
    #expect(page.first == false)
    #expect(page.last == false)
    #expect(page.empty == false)
    #expect(page.sort == Sort(empty: false, sorted: true, unsorted: false))
  }

  @Test func lastPartialPageIsLast() {
    let page = Page(slicing: Array(0..<45), skip: 40, top: 20, sorted: false)
    #expect(page.content == Array(40..<45))
    #expect(page.last == true)
    #expect(page.isLastPage)
  }

  @Test func skipBeyondTheEndGivesAnEmptyLastPage() {
    let page = Page(slicing: [1, 2, 3], skip: 10, top: 5, sorted: false)
    #expect(page.content.isEmpty)
    #expect(page.empty == true)
    #expect(page.isLastPage)
    #expect(page.totalElements == 3)
  }

  @Test func isLastPageFallsBackToCountsWhenLastIsAbsent() throws {
    let json = #"{"content":[{"name":"a"}],"totalElements":3,"number":0,"size":1}"#
    let page = try JSONDecoder().decode(Page<[String: String]>.self, from: Data(json.utf8))
    #expect(!page.isLastPage)
    let final = #"{"content":[{"name":"c"}],"totalElements":3,"number":2,"size":1}"#
    #expect(try JSONDecoder().decode(Page<[String: String]>.self, from: Data(final.utf8)).isLastPage)
  }
}
