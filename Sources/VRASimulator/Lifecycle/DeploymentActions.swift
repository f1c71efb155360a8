/// The deployment day-2 actions the simulator runs (`GET .../deployments/{id}/actions`).
enum DeploymentActions {
  static let update = "Deployment.Update"
  static let delete = "Deployment.Delete"
}
