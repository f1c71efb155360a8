// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
  name: "vra-engine",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "vra-engine", targets: ["vra-engine"]),
    .library(name: "VRAModels", targets: ["VRAModels"]),
    .library(name: "CloudTemplate", targets: ["CloudTemplate"]),
    .library(name: "VRAClient", targets: ["VRAClient"]),
    .library(name: "VRASimulator", targets: ["VRASimulator"]),
    .library(name: "Credentials", targets: ["Credentials"]),
    .library(name: "RunState", targets: ["RunState"]),
    .library(name: "Secrets", targets: ["Secrets"]),
    .library(name: "Engine", targets: ["Engine"]),
    .library(name: "EngineRuntime", targets: ["EngineRuntime"]),
    .library(name: "EngineServer", targets: ["EngineServer"]),
    .library(name: "VRAEngineCLI", targets: ["VRAEngineCLI"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", "4.1.0"..<"5.0.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
    .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    // Only `Reloading` (ReloadingFileProvider): config files are parsed by our own positioned readers.
    .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["Reloading"]),
    // Naming a trait replaces swift-otel's defaults, so OTLP/gRPC (and grpc-swift) stays out.
    .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
  ],
  targets: [
    .target(
      name: "VRAModels",
      swiftSettings: strict
    ),
    .target(
      name: "CloudTemplate",
      dependencies: [
        "VRAModels",
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: strict
    ),
    // Secret values, their redaction, and the lifecycle of a renewable credential: below both the
    // vRA client and the Vault code, so neither depends on the other.
    .target(
      name: "Credentials",
      dependencies: ["VRAModels"],
      swiftSettings: strict
    ),
    .target(
      name: "VRAClient",
      dependencies: [
        "VRAModels",
        "Credentials",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
      ],
      swiftSettings: strict
    ),
    // The state store: runs, stages, events, leases, migrations, on SQLite or PostgreSQL.
    // SQLKit and the database drivers live only here.
    .target(
      name: "RunState",
      dependencies: [
        "VRAModels",
        "Credentials",
        .product(name: "SQLiteKit", package: "sqlite-kit"),
        .product(name: "PostgresKit", package: "postgres-kit"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    // Secret references (env:, file:, vault:) and the Vault/OpenBao client.
    .target(
      name: "Secrets",
      dependencies: [
        "VRAModels",
        "Credentials",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "Engine",
      dependencies: [
        "VRAModels",
        "CloudTemplate",
        "Credentials",
        "VRAClient",
        "RunState",
        "Secrets",
        .product(name: "TOMLKit", package: "TOMLKit"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Configuration", package: "swift-configuration"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        // SHA-256 of an environment's secret inputs and templates (already in the graph through jwt-kit).
        .product(name: "Crypto", package: "swift-crypto"),
        // Check stages: a TCP connect, and a command in its own process group, killed whole at its timeout.
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Subprocess", package: "swift-subprocess"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "VRASimulator",
      dependencies: [
        "VRAModels",
        "CloudTemplate",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "HeapModule", package: "swift-collections"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: strict
    ),
    // What both front ends (the CLI, `serve`) run a plan with: configuration into a session (store,
    // vRA client or the embedded simulator, tracker) with scoped lifetimes, exit classification,
    // redaction of output, logging, metrics and traces.
    .target(
      name: "EngineRuntime",
      dependencies: [
        "VRAModels",
        "Credentials",
        "RunState",
        "Secrets",
        "Engine",
        "VRAClient",
        "VRASimulator",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "OTel", package: "swift-otel"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Configuration", package: "swift-configuration"),
      ],
      swiftSettings: strict
    ),
    // `vra-engine serve`: the runtime as a multi-tenant HTTP service (tenants, auth, the REST API,
    // the run executor, server-sent events).
    .target(
      name: "EngineServer",
      dependencies: [
        "EngineRuntime",
        "Engine",
        "RunState",
        "Credentials",
        "Secrets",
        "VRAModels",
        "CloudTemplate",
        "VRAClient",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: strict
    ),
    // The command line: flags, help and terminal rendering over the runtime.
    .target(
      name: "VRAEngineCLI",
      dependencies: [
        "EngineRuntime",
        "EngineServer",
        "VRAModels",
        "Credentials",
        "RunState",
        "Secrets",
        "CloudTemplate",
        "Engine",
        "VRAClient",
        "VRASimulator",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "OTel", package: "swift-otel"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "vra-engine",
      dependencies: ["VRAEngineCLI"],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "CloudTemplateBenchmark",
      dependencies: ["CloudTemplate"],
      path: "Benchmarks/CloudTemplateBenchmark",
      swiftSettings: strict
    ),
    .target(
      name: "TestSupport",
      dependencies: [
        "VRAModels",
        "VRASimulator",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Tests/TestSupport",
      swiftSettings: strict
    ),
    .executableTarget(
      name: "TrackerBenchmark",
      dependencies: [
        "Engine", "RunState", "Credentials", "VRAClient", "VRAModels", "VRASimulator",
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Benchmarks/tracker/TrackerBenchmark",
      swiftSettings: strict
    ),
    // A client of `vra-engine serve` only (HTTP): no module of the engine, so it measures the API.
    .executableTarget(
      name: "ServeBenchmark",
      dependencies: [
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      path: "Benchmarks/serve/ServeBenchmark",
      swiftSettings: strict
    ),
    .testTarget(
      name: "VRAModelsTests",
      dependencies: ["VRAModels"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "CloudTemplateTests",
      dependencies: [
        "CloudTemplate", "TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "VRASimulatorTests",
      dependencies: [
        "VRASimulator", "VRAModels", "TestSupport",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "VRAClientTests",
      dependencies: [
        "VRAClient", "Credentials", "VRASimulator", "VRAModels", "TestSupport",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "InMemoryLogging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "MetricsTestKit", package: "swift-metrics"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "EngineTests",
      dependencies: [
        "Engine", "RunState", "Secrets", "Credentials", "VRAClient", "VRASimulator", "VRAModels", "CloudTemplate",
        "TestSupport",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "InMemoryLogging", package: "swift-log"),
        .product(name: "Configuration", package: "swift-configuration"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      exclude: ["Fixtures"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "EngineServerTests",
      dependencies: [
        "EngineServer", "EngineRuntime", "Engine", "RunState", "Credentials", "VRAClient", "VRASimulator", "VRAModels",
        "TestSupport",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "InMemoryLogging", package: "swift-log"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "VRAEngineCLITests",
      dependencies: [
        "VRAEngineCLI", "EngineRuntime", "EngineServer", "Engine", "RunState", "Credentials", "VRAClient",
        "VRASimulator", "VRAModels", "CloudTemplate", "TestSupport",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
      ],
      swiftSettings: strict
    ),
  ]
)
