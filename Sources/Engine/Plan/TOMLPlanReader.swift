import CloudTemplate
import Foundation
import TOMLKit
import VRAModels

/// Reads a TOML plan into a `PlanNode`: TOMLKit (toml++) parses, `TOMLKeyLocator` supplies positions and
/// the file order of keys (toml++ returns a table's keys sorted).
enum TOMLPlanReader {
  static func read(_ text: String, file: String, limits: ParseLimits) throws(PlanError) -> PlanNode {
    guard text.utf8.count <= limits.maxBytes else {
      throw PlanError(
        PlanDiagnostic(
          code: .fileTooLarge, message: "the plan is larger than the \(limits.maxBytes)-byte limit", file: file,
          location: .startOfFile, path: ""))
    }
    let table: TOMLTable
    do {
      table = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      throw PlanError(
        PlanDiagnostic(
          code: .syntax, message: "TOML syntax error: \(error.description)", file: file,
          location: SourceLocation(line: max(1, error.source.begin.line), column: max(1, error.source.begin.column)),
          path: ""))
    } catch {
      throw PlanError(
        PlanDiagnostic(code: .syntax, message: "TOML error: \(error)", file: file, location: .startOfFile, path: ""))
    }
    let builder = Builder(locator: TOMLKeyLocator(text: text), file: file, maxDepth: limits.maxDepth)
    return try builder.node(table.tomlValue, pointer: "", keyLocation: .startOfFile, depth: 0)
  }

  private struct Builder {
    let locator: TOMLKeyLocator
    let file: String
    let maxDepth: Int

    func node(
      _ value: TOMLValue, pointer: String, keyLocation: SourceLocation, depth: Int
    ) throws(PlanError)
      -> PlanNode
    {
      let location = locator.valueLocations[pointer] ?? keyLocation
      guard depth <= maxDepth else {
        throw PlanError(
          PlanDiagnostic(
            code: .nestingTooDeep, message: "nesting deeper than \(maxDepth) levels", file: file, location: location,
            path: pointer))
      }
      switch value.type {
      case .table:
        guard let table = value.table else { return PlanNode(.mapping([]), location: location) }
        var entries: [PlanNode.Entry] = []
        for (key, child) in zip(table.keys, table.values) {
          let childPointer = JSONPointer.appending(key, to: pointer)
          let childKeyLocation = locator.keyLocations[childPointer] ?? location
          entries.append(
            PlanNode.Entry(
              key: key, keyLocation: childKeyLocation,
              value: try node(child, pointer: childPointer, keyLocation: childKeyLocation, depth: depth + 1)))
        }
        entries.sort { ($0.keyLocation.line, $0.keyLocation.column) < ($1.keyLocation.line, $1.keyLocation.column) }
        return PlanNode(.mapping(entries), location: location)
      case .array:
        var elements: [PlanNode] = []
        for (index, element) in (value.array?.map(\.tomlValue) ?? []).enumerated() {
          elements.append(
            try node(
              element, pointer: JSONPointer.appending(index, to: pointer), keyLocation: location, depth: depth + 1))
        }
        return PlanNode(.sequence(elements), location: location)
      case .string:
        // The locator already places a string after its opening quote.
        return PlanNode(.scalar(.string(value.string ?? "")), location: location)
      case .int:
        return PlanNode(.scalar(.int(value.int ?? 0)), location: location)
      case .double:
        return PlanNode(.scalar(.double(value.double ?? 0)), location: location)
      case .bool:
        return PlanNode(.scalar(.bool(value.bool ?? false)), location: location)
      case .date, .time, .dateTime:
        // Dates have no JSON type; keep them as the text a template input would receive.
        let text = value.debugDescription.trimmingCharacters(in: ["\""])
        return PlanNode(.scalar(.string(text)), location: location)
      }
    }
  }
}
