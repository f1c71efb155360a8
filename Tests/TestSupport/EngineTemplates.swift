/// Small templates and a plan over them, for the orchestration and command tests.
public enum EngineTemplates {
  public static let network = """
    formatVersion: 1
    inputs:
      cidr: {type: string, default: 10.0.0.0/24}
    resources:
      net:
        type: Cloud.Network
        properties: {cidr: '${input.cidr}'}
    outputs:
      networkId: {value: '${resource.net.id}'}
    """

  /// A machine whose size is an input (its flavor), so changing it is an update in place.
  public static let sizedMachine = """
    formatVersion: 1
    inputs:
      network: {type: string}
      size: {type: string, enum: [small, large], default: small}
    resources:
      vm:
        type: Cloud.Machine
        properties:
          image: ubuntu
          flavor: '${input.size}'
          networks: [{network: '${input.network}'}]
    outputs:
      address: {value: '${resource.vm.address}'}
    """

  public static let machine = """
    formatVersion: 1
    inputs:
      network: {type: string}
      password: {type: string, encrypted: true, default: not-a-secret}
    resources:
      vm:
        type: Cloud.Machine
        properties:
          image: ubuntu
          networks: [{network: '${input.network}'}]
    outputs:
      address: {value: '${resource.vm.address}'}
    """

  public static let app = """
    formatVersion: 1
    inputs:
      dbHost: {type: string}
    resources:
      web:
        type: Cloud.Machine
        properties:
          image: ubuntu
          tags: [{key: db, value: '${input.dbHost}'}]
    """

  /// Six stages over three templates: net, then db and cache, then api and web, then edge.
  public static let sixStagePlan = """
    name: six
    defaults: {project: Development, parallelism: 3}
    stages:
      net: {template: network.yaml, deploymentName: "net-${run.id}"}
      db:
        template: machine.yaml
        deploymentName: "db-${run.id}"
        inputs: {network: "${stages.net.outputs.networkId}"}
      cache:
        template: machine.yaml
        deploymentName: "cache-${run.id}"
        inputs: {network: "${stages.net.outputs.networkId}"}
      api:
        template: app.yaml
        deploymentName: "api-${run.id}"
        inputs: {dbHost: "${stages.db.outputs.address}"}
      web:
        template: app.yaml
        deploymentName: "web-${run.id}"
        inputs: {dbHost: "${stages.cache.outputs.address}"}
      edge: {template: network.yaml, deploymentName: "edge-${run.id}", dependsOn: [api, web]}
    """

  /// A network and a machine on it, with inputs of three kinds (one encrypted) and two outputs.
  public static let web = """
    formatVersion: 1
    inputs:
      cidr: {type: string, default: 10.0.0.0/24}
      count: {type: integer, minimum: 1, maximum: 5, default: 1}
      password: {type: string, encrypted: true, default: not-a-secret}
    resources:
      net:
        type: Cloud.Network
        properties: {cidr: '${input.cidr}'}
      vm:
        type: Cloud.Machine
        properties:
          image: ubuntu
          networks: [{network: '${resource.net.id}'}]
    outputs:
      networkId: {value: '${resource.net.id}'}
      address: {value: '${resource.vm.address}'}
    """
}
