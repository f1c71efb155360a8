import Metrics

/// The service's own metrics, labelled by tenant (a handful of configured names, so the label's
/// cardinality stays small): runs submitted, finished by status, in progress and queued.
enum ServeMetrics {
  static func submitted(tenant: String) {
    Counter(label: "vra_engine_serve_runs_submitted_total", dimensions: [("tenant", tenant)]).increment()
  }

  static func refused(tenant: String, reason: String) {
    Counter(label: "vra_engine_serve_submissions_refused_total", dimensions: [("tenant", tenant), ("reason", reason)])
      .increment()
  }

  static func finished(tenant: String, status: String) {
    Counter(label: "vra_engine_serve_runs_finished_total", dimensions: [("tenant", tenant), ("status", status)])
      .increment()
  }

  /// Runs in progress and queued per tenant, as of a scheduling pass (tenants with none read 0).
  static func occupancy(active: [String: Int], queued: [String: Int], tenants: [String]) {
    for tenant in tenants {
      Gauge(label: "vra_engine_serve_runs_active", dimensions: [("tenant", tenant)]).record(active[tenant] ?? 0)
      Gauge(label: "vra_engine_serve_runs_queued", dimensions: [("tenant", tenant)]).record(queued[tenant] ?? 0)
    }
  }
}
