import Hummingbird
import VRAModels

/// `GET /<service>/api/about`: the API versions each service supports. Every route
/// also accepts `apiVersion`; the simulator answers the same shape for all of them.
enum AboutRoutes {
  /// The versions of the specs in shared/vra-api, per service.
  static let versions: [String: [String]] = [
    "iaas": ["2021-07-15", "2019-01-15"],
    "blueprint": ["2019-09-12"],
    "deployment": ["2020-08-25", "2019-01-15"],
    "catalog": ["2020-08-25", "2019-01-15"],
    "project-service": ["2019-01-15"],
  ]

  static func register(on router: Router<SimulatorContext>) {
    for (service, list) in versions {
      router.get("/\(service)/api/about") { _, _ -> Response in
        let apis = list.map {
          ApiDescription(apiVersion: $0, documentationLink: "/\(service)/api/swagger/ui/?apiVersion=\($0)")
        }
        if service == "blueprint" {
          // BlueprintAbout's SupportedApi has only apiVersion.
          return try JSONResponse.make(
            BlueprintAbout(latestApiVersion: list[0], supportedApis: list.map { .init(apiVersion: $0) }))
        }
        return try JSONResponse.make(About(latestApiVersion: list[0], supportedApis: apis))
      }
    }
  }
}

/// `BlueprintAbout`: the blueprint service's variant of `About`.
struct BlueprintAbout: Encodable {
  struct SupportedApi: Encodable { var apiVersion: String }
  var latestApiVersion: String
  var supportedApis: [SupportedApi]
}
