/// A dependency graph as `vra-engine graph` draws it, whatever it is a graph of (a template's
/// resources, a plan's stages): nodes with a detail (type, source), edges from A to B meaning "A
/// comes after B" (A depends on B), and the layers that can go in parallel, in order.
public struct GraphDrawing: Sendable, Hashable {
  public struct Node: Sendable, Hashable {
    public var name: String
    /// The resource's type, or the stage's source (`template network.yaml`).
    public var detail: String

    public init(name: String, detail: String) {
      self.name = name
      self.detail = detail
    }
  }

  /// What the nodes are, in the singular: "resource" or "stage".
  public var noun: String
  /// The JSON key of a node's detail: "type" for resources, "source" for stages.
  public var detailKey: String
  public var nodes: [Node]
  public var edges: [ResourceEdge]
  public var layers: [[String]]

  public init(noun: String, detailKey: String, nodes: [Node], edges: [ResourceEdge], layers: [[String]]) {
    self.noun = noun
    self.detailKey = detailKey
    self.nodes = nodes
    self.edges = edges
    self.layers = layers
  }

  /// `{"<noun>s": [{"name", "<detailKey>"}], "edges": [{"from", "to", "kind"}], "layers": [[...]]}`.
  public var jsonValue: JSONValue {
    .object([
      noun + "s": .array(nodes.map { .object(["name": .string($0.name), detailKey: .string($0.detail)]) }),
      "edges": .array(
        edges.map { .object(["from": .string($0.from), "to": .string($0.to), "kind": .string($0.kind.rawValue)]) }),
      "layers": .array(layers.map { .array($0.map(JSONValue.string)) }),
    ])
  }

  /// For a person at a terminal: the layers in order, each node with its detail and what it waits on.
  ///
  ///     web.yaml: 4 resources in 3 layers, each after the ones above
  ///     layer 1
  ///     └─ webNetwork  Cloud.NSX.Network
  ///     layer 2
  ///     ├─ webServer1  Cloud.vSphere.Machine  after webNetwork
  ///     └─ webServer2  Cloud.vSphere.Machine  after webNetwork, webServer1 (dependsOn)
  public func text(title: String) -> String {
    func count(_ number: Int, _ word: String) -> String { "\(number) \(word)\(number == 1 ? "" : "s")" }
    let details = Dictionary(nodes.map { ($0.name, $0.detail) }, uniquingKeysWith: { first, _ in first })
    let width = (nodes.map(\.name.count).max() ?? 0) + 2
    let detailWidth = (nodes.map(\.detail.count).max() ?? 0) + 2
    var lines = ["\(title): \(count(nodes.count, noun)) in \(count(layers.count, "layer")), each after the ones above"]
    for (index, layer) in layers.enumerated() {
      lines.append("layer \(index + 1)")
      for (position, name) in layer.enumerated() {
        let branch = position == layer.count - 1 ? "└─ " : "├─ "
        let waits = edges.filter { $0.from == name }.map { $0.kind == .dependsOn ? "\($0.to) (dependsOn)" : $0.to }
        var line = branch + Self.padded(name, width) + Self.padded(details[name] ?? "", detailWidth)
        if !waits.isEmpty { line += "after " + waits.joined(separator: ", ") }
        lines.append(line.trimmingTrailingSpaces)
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Graphviz: one node per name labelled with its detail, `dependsOn` edges dashed, and the
  /// nodes of each layer on the same rank.
  public func dot(name: String) -> String {
    var lines = ["digraph \(Self.dotQuoted(name)) {", "  rankdir=BT;", "  node [shape=box];"]
    for node in nodes {
      lines.append("  \(Self.dotQuoted(node.name)) [label=\(Self.dotQuoted("\(node.name)\n\(node.detail)"))];")
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

  /// Mermaid flowchart: nodes `r0`, `r1`, ... for resources (`s0`, ... for stages: names are not
  /// always valid Mermaid ids), labelled with name and detail; `reference` edges solid, `dependsOn` dotted.
  public var mermaid: String {
    var ids: [String: String] = [:]
    var lines = ["flowchart BT"]
    let prefix = String(noun.prefix(1))
    for (index, node) in nodes.enumerated() {
      let id = "\(prefix)\(index)"
      ids[node.name] = id
      lines.append("  \(id)[\"\(Self.mermaidEscaped(node.name))<br/>\(Self.mermaidEscaped(node.detail))\"]")
    }
    for edge in edges {
      guard let from = ids[edge.from], let to = ids[edge.to] else { continue }
      let arrow = edge.kind == .dependsOn ? "-.->" : "-->"
      lines.append("  \(from) \(arrow)|\(edge.kind.rawValue)| \(to)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
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

extension String {
  fileprivate var trimmingTrailingSpaces: String {
    var text = self
    while text.hasSuffix(" ") { text.removeLast() }
    return text
  }
}

/// The forms `vra-engine graph` prints for a template. An edge from A to B means "A is created
/// after B" (A depends on B).
extension ResourceGraph {
  public var drawing: GraphDrawing {
    GraphDrawing(
      noun: "resource", detailKey: "type", nodes: resources.map { GraphDrawing.Node(name: $0.name, detail: $0.type) },
      edges: edges, layers: layers)
  }

  /// `{"resources": [{"name", "type"}], "edges": [{"from", "to", "kind"}], "layers": [[...]]}`.
  public var jsonValue: JSONValue { drawing.jsonValue }

  /// Graphviz: one node per resource labelled with its type, `dependsOn` edges dashed, and the
  /// resources of each layer on the same rank.
  public func dot(name: String = "template") -> String { drawing.dot(name: name) }

  /// Mermaid flowchart: nodes `r0`, `r1`, ..., labelled `name` and type; `reference` edges solid,
  /// `dependsOn` edges dotted.
  public var mermaid: String { drawing.mermaid }
}
