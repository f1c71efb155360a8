import CYaml

/// Measures how many nodes a YAML document expands to once aliases are followed, from libyaml's event
/// stream and before any tree is built.
///
/// Yams composes a document eagerly and checks every mapping for duplicate keys by hashing the keys;
/// an alias bomb used as a mapping key (`? *bomb : x`) is then hashed node by node, in exponential
/// time, before `NodeConverter` could count anything. This pass sees each event once: an alias adds
/// the size its anchor was measured at, so the work is linear in the text.
enum AliasBudget {
  /// Where the expansion first exceeds `maxNodes`, or nil when it stays within the limit (or the
  /// document is malformed: the real parser reports that with a better message).
  static func firstExcess(in text: String, maxNodes: Int) -> SourceLocation? {
    // No anchor, no alias that could expand: skip the extra pass for ordinary templates.
    guard text.utf8.contains(UInt8(ascii: "&")), text.utf8.contains(UInt8(ascii: "*")) else { return nil }
    var bytes = Array(text.utf8)
    if bytes.isEmpty { return nil }
    return bytes.withUnsafeMutableBufferPointer { buffer -> SourceLocation? in
      var parser = yaml_parser_t()
      guard yaml_parser_initialize(&parser) == 1 else { return nil }
      defer { yaml_parser_delete(&parser) }
      yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      return walk(&parser, maxNodes: maxNodes)
    }
  }

  private static func walk(_ parser: inout yaml_parser_t, maxNodes: Int) -> SourceLocation? {
    // Node counts of the collections still open, innermost last, with their anchors.
    var open: [(anchor: String?, size: Int)] = []
    var anchorSizes: [String: Int] = [:]
    var total = 0
    var event = yaml_event_t()
    while true {
      guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
      defer { yaml_event_delete(&event) }
      let mark = SourceLocation(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
      var added = 0
      var finishedAnchor: String?
      switch event.type {
      case YAML_STREAM_END_EVENT:
        return nil
      case YAML_SCALAR_EVENT:
        added = 1
        finishedAnchor = string(event.data.scalar.anchor)
      case YAML_ALIAS_EVENT:
        added = string(event.data.alias.anchor).flatMap { anchorSizes[$0] } ?? 1
      case YAML_SEQUENCE_START_EVENT:
        open.append((string(event.data.sequence_start.anchor), 1))
      case YAML_MAPPING_START_EVENT:
        open.append((string(event.data.mapping_start.anchor), 1))
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        guard let closed = open.popLast() else { return nil }
        added = closed.size
        finishedAnchor = closed.anchor
      case YAML_DOCUMENT_END_EVENT:
        total = 0
        continue
      default:
        continue
      }
      if let finishedAnchor { anchorSizes[finishedAnchor] = added }
      if open.isEmpty {
        total = saturatingSum(total, added, limit: maxNodes)
        if total > maxNodes { return mark }
      } else {
        let size = saturatingSum(open[open.count - 1].size, added, limit: maxNodes)
        open[open.count - 1].size = size
        if size > maxNodes { return mark }
      }
    }
  }

  private static func saturatingSum(_ lhs: Int, _ rhs: Int, limit: Int) -> Int {
    let (sum, overflow) = lhs.addingReportingOverflow(rhs)
    return overflow ? limit + 1 : min(sum, limit + 1)
  }

  private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: pointer)
  }
}
