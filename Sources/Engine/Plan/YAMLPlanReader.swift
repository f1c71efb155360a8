import CloudTemplate
import Yams

/// Reads a YAML plan into a `PlanNode` through CloudTemplate's hardened front end (size limit, UTF-8
/// check, alias-bomb budget, positioned syntax errors).
enum YAMLPlanReader {
  static func read(_ text: String, file: String, limits: ParseLimits) throws(PlanError) -> PlanNode? {
    let root: Node?
    do {
      root = try YAMLDocument.compose(text, fileName: file, kind: "plan", limits: limits)
    } catch {
      throw PlanError(diagnostics: error.diagnostics.map(PlanLoader.planDiagnostic(fromFileLevel:)))
    }
    guard let root else { return nil }
    var walker = Walker(file: file, maxDepth: limits.maxDepth)
    return try walker.node(root, depth: 0, path: "")
  }

  private struct Walker {
    let file: String
    let maxDepth: Int

    mutating func node(_ node: Node, depth: Int, path: String) throws(PlanError) -> PlanNode {
      let location = YAMLDocument.location(of: node)
      guard depth <= maxDepth else {
        throw PlanError(
          PlanDiagnostic(
            code: .nestingTooDeep, message: "nesting deeper than \(maxDepth) levels", file: file, location: location,
            path: path))
      }
      switch node {
      case .scalar(let scalar):
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        let text = quoted ? SourceLocation(line: location.line, column: location.column + 1) : location
        return PlanNode(.scalar(YAMLDocument.value(of: scalar)), location: location, textLocation: text)
      case .sequence(let sequence):
        var elements: [PlanNode] = []
        for (index, element) in sequence.enumerated() {
          elements.append(try self.node(element, depth: depth + 1, path: JSONPointer.appending(index, to: path)))
        }
        return PlanNode(.sequence(elements), location: location)
      case .mapping(let mapping):
        var entries: [PlanNode.Entry] = []
        for (keyNode, valueNode) in mapping {
          guard case .scalar(let keyScalar) = keyNode else {
            throw PlanError(
              PlanDiagnostic(
                code: .invalidFieldType, message: "mapping keys must be plain scalars", file: file,
                location: YAMLDocument.location(of: keyNode), path: path))
          }
          let key = keyScalar.string
          if key == "<<" && keyScalar.style == .plain {
            // `<<: *defaults` copies the keys the mapping does not set itself.
            let merged = try self.node(valueNode, depth: depth, path: path)
            let sources = if case .sequence(let list) = merged.content { list } else { [merged] }
            for source in sources {
              for entry in source.entries ?? [] where !entries.contains(where: { $0.key == entry.key }) {
                entries.append(entry)
              }
            }
            continue
          }
          let value = try self.node(valueNode, depth: depth + 1, path: JSONPointer.appending(key, to: path))
          if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index] = PlanNode.Entry(key: key, keyLocation: YAMLDocument.location(of: keyNode), value: value)
          } else {
            entries.append(PlanNode.Entry(key: key, keyLocation: YAMLDocument.location(of: keyNode), value: value))
          }
        }
        return PlanNode(.mapping(entries), location: location)
      case .alias:
        return PlanNode(.scalar(.null), location: location)
      }
    }
  }
}
