import Foundation
import VRAModels

/// The input schemas of the day-2 actions, as JSON Schema (what `ResourceAction.schema` carries), so a
/// client can check inputs before it submits; `ActionInputs` applies the same rules on submission.
enum ActionSchemas {
  /// An action without inputs (power, delete).
  static let none: JSONValue = ["type": "object", "properties": [:]]

  /// `Deployment.ChangeLease`: one required date-time, defaulting to the current lease end.
  static func changeLease(current: Date?, maxDays: Double) -> JSONValue {
    var date: [String: JSONValue] = [
      "type": "string", "format": "date-time", "title": .string(DeploymentActions.leaseInput),
      "description": .string("When the lease ends: after now and at most \(Self.days(maxDays)) days from now"),
    ]
    if let current { date["default"] = .string(VRAJSON.formatTimestamp(current)) }
    return [
      "type": "object", "properties": [DeploymentActions.leaseInput: .object(date)],
      "required": [.string(DeploymentActions.leaseInput)],
    ]
  }

  /// `Deployment.EditTags`: the whole list of tags, defaulting to the current ones.
  static func editTags(current: [TagRecord]) -> JSONValue {
    let tag: JSONValue = [
      "type": "object",
      "properties": ["key": ["type": "string", "minLength": 1], "value": ["type": "string"]],
      "required": ["key"],
    ]
    return [
      "type": "object",
      "properties": [
        DeploymentActions.tagsInput: [
          "type": "array", "title": "Tags", "items": tag,
          "default": .array(current.map { ["key": .string($0.key), "value": .string($0.value)] }),
        ]
      ],
      "required": [.string(DeploymentActions.tagsInput)],
    ]
  }

  /// `<machine>.Resize`: CPUs and memory within limits, each defaulting to the machine's current
  /// value; neither required (one not given keeps its value).
  static func resize(cpuCount: Int, totalMemoryMB: Int) -> JSONValue {
    [
      "type": "object",
      "properties": [
        "cpuCount": [
          "type": "integer", "title": "CPU count", "minimum": .int(MachineActions.cpuRange.lowerBound),
          "maximum": .int(MachineActions.cpuRange.upperBound), "default": .int(cpuCount),
        ],
        "totalMemoryMB": [
          "type": "integer", "title": "Memory (MB)", "minimum": .int(MachineActions.memoryRange.lowerBound),
          "maximum": .int(MachineActions.memoryRange.upperBound), "default": .int(totalMemoryMB),
        ],
      ],
      "required": [],
    ]
  }

  private static func days(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}
