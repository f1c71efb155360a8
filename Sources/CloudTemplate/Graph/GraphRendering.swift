/// The three forms `vra-engine graph` prints. In all of them an edge from A to B means
/// "A is created after B" (A depends on B).
extension ResourceGraph {
  /// `{"resources": [{"name", "type"}], "edges": [{"from", "to", "kind"}], "layers": [[...]]}`.
  public var jsonValue: JSONValue {
    .object([
      "resources": .array(resources.map { .object(["name": .string($0.name), "type": .string($0.type)]) }),
      "edges": .array(
        edges.map { .object(["from": .string($0.from), "to": .string($0.to), "kind": .string($0.kind.rawValue)]) }),
      "layers": .array(layers.map { .array($0.map(JSONValue.string)) }),
    ])
  }

  /// Graphviz: one node per resource labelled with its type, `dependsOn` edges dashed, and the
  /// resources of each layer on the same rank.
  public func dot(name: String = "template") -> String {
    var lines = ["digraph \(Self.dotQuoted(name)) {", "  rankdir=BT;", "  node [shape=box];"]
    for resource in resources {
      lines.append(
        "  \(Self.dotQuoted(resource.name)) [label=\(Self.dotQuoted("\(resource.name)\n\(resource.type)"))];")
    }
    for edge in edges {
      let style = edge.kind == .dependsOn ? ", style=dashed" : ""
      lines.append(
        "  \(Self.dotQuoted(edge.from)) -> \(Self.dotQuoted(edge.to)) [label=\(Self.dotQuoted(edge.kind.rawValue))\(style)];"
      )
    }
    for layer in layers where layer.count > 1 {
      lines.append("  { rank=same; \(layer.map(Self.dotQuoted).joined(separator: "; ")); }")
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Mermaid flowchart: nodes `r0`, `r1`, ... (resource names are not always valid Mermaid ids),
  /// labelled `name` and type; `reference` edges solid, `dependsOn` edges dotted.
  public var mermaid: String {
    var ids: [String: String] = [:]
    var lines = ["flowchart BT"]
    for (index, resource) in resources.enumerated() {
      let id = "r\(index)"
      ids[resource.name] = id
      lines.append("  \(id)[\"\(Self.mermaidEscaped(resource.name))<br/>\(Self.mermaidEscaped(resource.type))\"]")
    }
    for edge in edges {
      guard let from = ids[edge.from], let to = ids[edge.to] else { continue }
      let arrow = edge.kind == .dependsOn ? "-.->" : "-->"
      lines.append("  \(from) \(arrow)|\(edge.kind.rawValue)| \(to)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func dotQuoted(_ text: String) -> String {
    var quoted = "\""
    for character in text {
      switch character {
      case "\"": quoted += "\\\""
      case "\\": quoted += "\\\\"
      case "\n": quoted += "\\n"
      default: quoted.append(character)
      }
    }
    return quoted + "\""
  }

  /// Mermaid entity codes for the characters that end or break a quoted label.
  private static func mermaidEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
      switch character {
      case "\"": escaped += "#quot;"
      case "<": escaped += "#lt;"
      case ">": escaped += "#gt;"
      case "\n": escaped += " "
      default: escaped.append(character)
      }
    }
    return escaped
  }
}
