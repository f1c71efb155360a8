import Foundation

/// Everything both modes of one size track, decided before either runs: which deployment goes to
/// which project with which template, when each is submitted, and so when each completes.
///
/// Submissions are paced (deployment `i` at `i / rate` seconds after setup starts), and a
/// template's run time is fixed by the simulator's per-type durations, so every run of a size sees
/// the same completion times relative to the start of tracking, whatever the machine's speed
/// (as long as the setup keeps the pace; the benchmark prints how far it fell behind).
struct Workload: CustomStringConvertible {
  struct Template {
    var name: String
    /// Resource name, type, and the resource it depends on.
    var resources: [(name: String, type: String, dependsOn: String?)]
    var content: String {
      var text = "formatVersion: 1\nresources:\n"
      for resource in resources {
        text += "  \(resource.name):\n    type: \(resource.type)\n    properties: {}\n"
        if let dependsOn = resource.dependsOn { text += "    dependsOn: [\(dependsOn)]\n" }
      }
      return text
    }
    var types: [String] { resources.map(\.type) }
  }

  let count: Int
  let projects: Int
  /// Submissions per second.
  let rate: Double
  /// Seconds the simulator takes per resource type.
  let durations: [String: Double]
  let templates: [Template]
  /// The simulator's fixed phases (its defaults): before the first resource, after the last.
  static let initialization = 4.0
  static let completion = 3.0
  /// Tracking starts this long after the last planned submission.
  static let margin = 2.0

  init(count: Int, projects: Int, rate: Double) {
    self.count = count
    self.projects = projects
    self.rate = rate
    // The machine outlasts the whole setup (30 s after the last submission), so all N are in flight
    // when tracking starts; the network and the disk add 15 s and 20 s to two of the templates.
    let window = Double(count) / rate
    durations = ["Bench.Machine": (window + 30).rounded(), "Bench.Network": 15, "Bench.Disk": 20]
    templates = [
      Template(name: "machine", resources: [("vm", "Bench.Machine", nil)]),
      Template(name: "network-machine", resources: [("net", "Bench.Network", nil), ("vm", "Bench.Machine", "net")]),
      Template(name: "machine-disk", resources: [("vm", "Bench.Machine", nil), ("disk", "Bench.Disk", "vm")]),
    ]
  }

  /// Submission window: the last deployment is submitted at this offset.
  var window: Double { Double(count - 1) / rate }
  /// Tracking starts at this offset from the start of setup.
  var trackingStart: Double { window + Self.margin }

  func project(of index: Int) -> Int { index % projects }
  /// Templates cycle per project, so each project gets the mix.
  func template(of index: Int) -> Int { (index / projects) % templates.count }
  func submitAt(_ index: Int) -> Double { Double(index) / rate }
  func runTime(of template: Int) -> Double {
    // Dependencies chain here, so the run time is the sum of the resources.
    Self.initialization + templates[template].types.reduce(0) { $0 + (durations[$1] ?? 0) } + Self.completion
  }
  /// When deployment `index` completes, in seconds after tracking starts.
  func completesAt(_ index: Int) -> Double { submitAt(index) + runTime(of: template(of: index)) - trackingStart }

  /// The polling phase of deployment `index` in per-deployment mode, the same in every run.
  func phase(of index: Int, interval: Double) -> Double {
    (Double(index) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1) * interval
  }

  /// The calls the per-deployment mode makes for this workload when every GET is on time: deployment
  /// `i` is read at its phase and every `interval` after it, up to the first read at or after its
  /// completion. Printed for every size, so a size whose per-deployment mode is not run (50,000) still
  /// has its naive figure.
  func plannedNaiveCalls(interval: Double) -> Int {
    (0..<count).reduce(0) { total, index in
      let late = completesAt(index) - phase(of: index, interval: interval)
      return total + (late > 0 ? Int((late / interval).rounded(.up)) : 0) + 1
    }
  }

  var description: String {
    let completions = (0..<count).map(completesAt).sorted()
    func at(_ p: Double) -> String { String(format: "%.1f", completions[Int(Double(count - 1) * p)]) }
    var lines = [
      "workload: \(count) deployments over \(projects) projects, submitted at \(String(format: "%.0f", rate))/s "
        + "(offsets 0…\(String(format: "%.1f", window)) s), tracking from \(String(format: "%.1f", trackingStart)) s",
      "  simulator durations: "
        + durations.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.0f", $0.value)) s" }.joined(
          separator: ", ") + ", initialization 4 s, completion 3 s",
    ]
    for (index, template) in templates.enumerated() {
      let share = (0..<count).filter { self.template(of: $0) == index }.count
      lines.append(
        "  template \(template.name) (\(template.types.joined(separator: " → "))): \(share) deployments, "
          + "run time \(String(format: "%.0f", runTime(of: index))) s")
    }
    lines.append(
      "  completions after tracking starts: first \(at(0)) s, p50 \(at(0.5)) s, last \(at(1)) s")
    return lines.joined(separator: "\n")
  }
}
