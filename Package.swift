// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "consentry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "consentry", targets: ["consentry"]),
        .library(name: "ConsentryCore", targets: ["ConsentryCore"]),
        .library(name: "ConsentryCrypto", targets: ["ConsentryCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // libcrypto (OpenSSL 3) as a system library; only ConsentryCrypto imports it.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // AES-256-GCM, HMAC, HKDF, randomness and the key hierarchy. No SQL, no HTTP.
        .target(
            name: "ConsentryCrypto",
            dependencies: ["CLibCrypto"],
            swiftSettings: swiftSettings
        ),
        // Domain: customers, validation, normalisation, field catalogue. No I/O at all.
        .target(
            name: "ConsentryCore",
            swiftSettings: swiftSettings
        ),
        // Policies/ YAML: the strict loader (file:line:column errors), content-hash versions, reload.
        .target(
            name: "ConsentryPolicy",
            dependencies: ["ConsentryCore", "ConsentryCrypto", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // The storage contract: what both engines do (statements, transactions, locks), no engine.
        .target(
            name: "ConsentryStorage",
            swiftSettings: swiftSettings
        ),
        // The embedded engine: SQLite through GRDB, zero configuration.
        .target(
            name: "ConsentrySQLite",
            dependencies: ["ConsentryStorage", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // The fleet engine: PostgreSQL through postgres-nio.
        .target(
            name: "ConsentryPostgres",
            dependencies: [
                "ConsentryStorage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The records contract: what the product keeps, per aggregate and in its own words
        // (customer records, consent records, the audit trail, the change journal...), as
        // protocols the use cases are written against; no storage, no engine.
        .target(
            name: "ConsentryRecords",
            dependencies: ["ConsentryCore", "ConsentryCrypto"],
            swiftSettings: swiftSettings
        ),
        // The encrypted repository over the storage contract, key files, import and export:
        // the implementation of ConsentryRecords.
        .target(
            name: "ConsentryStore",
            dependencies: [
                "ConsentryCore",
                "ConsentryCrypto",
                "ConsentryRecords",
                "ConsentryStorage",
                "ConsentrySQLite",
                "ConsentryPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Use cases: what the product does (module reads and writes through the purpose gate,
        // consent changes, request filing...), over the store, knowing neither HTTP nor SQL.
        .target(
            name: "ConsentryUseCases",
            dependencies: ["ConsentryCore", "ConsentryCrypto", "ConsentryPolicy", "ConsentryRecords"],
            swiftSettings: swiftSettings
        ),
        // The HTTP surface (Hummingbird 2).
        .target(
            name: "ConsentryHTTP",
            dependencies: [
                "ConsentryCore",
                "ConsentryStore",
                "ConsentryRecords",
                "ConsentryStorage",
                "ConsentryUseCases",
                "ConsentryPolicy",
                "ConsentryCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "JWTKit", package: "jwt-kit"),
                // Event delivery to module callbacks (already built for HummingbirdTesting).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/consentry-tmf-extensions.json")],
            swiftSettings: swiftSettings
        ),
        // The web pages: the customers' privacy center and the officers' console, server-rendered
        // from Mustache templates over the same use cases as the JSON APIs.
        .target(
            name: "ConsentryWeb",
            dependencies: [
                "ConsentryCore",
                "ConsentryStore",
                "ConsentryRecords",
                "ConsentryUseCases",
                "ConsentryPolicy",
                "ConsentryCrypto",
                "ConsentryHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("Templates"), .copy("Assets")],
            swiftSettings: swiftSettings
        ),
        // The `consentry` commands, as a library so tests drive them in-process.
        .target(
            name: "ConsentryCommands",
            dependencies: [
                "ConsentryCore",
                "ConsentryStore",
                "ConsentryRecords",
                "ConsentryStorage",
                "ConsentrySQLite",
                "ConsentryPostgres",
                "ConsentryHTTP",
                "ConsentryWeb",
                "ConsentryCrypto",
                "ConsentryPolicy",
                "ConsentryUseCases",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // The transparency witness fetches the log's heads.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "consentry",
            dependencies: ["ConsentryCommands"],
            swiftSettings: swiftSettings
        ),
        // Shared by every test target: temporary data directories, fixtures, generators.
        .target(
            name: "ConsentryTesting",
            dependencies: ["ConsentryCore", "ConsentryCrypto", "ConsentryStore", "ConsentryRecords", "ConsentryStorage", "ConsentryPostgres", "ConsentryPolicy"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "consentry-bench",
            dependencies: [
                "ConsentryCore", "ConsentryCrypto", "ConsentryStore", "ConsentryRecords", "ConsentryTesting", "ConsentryPolicy", "ConsentryStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/ImportBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "consentry-bare",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Benchmarks/BareServer",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsentryCryptoTests",
            dependencies: ["ConsentryCrypto"],
            resources: [.copy("Vectors")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsentryCoreTests",
            dependencies: ["ConsentryCore"],
            swiftSettings: swiftSettings
        ),
        // The use cases over the records contract in memory: no store, no engine in this target.
        .testTarget(
            name: "ConsentryUseCasesTests",
            dependencies: ["ConsentryUseCases", "ConsentryRecords", "ConsentryCore", "ConsentryCrypto", "ConsentryPolicy"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsentryPolicyTests",
            dependencies: ["ConsentryPolicy", "ConsentryCore", "ConsentryTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsentryStoreTests",
            dependencies: [
                "ConsentryStore", "ConsentryRecords", "ConsentryTesting", "ConsentryCore", "ConsentryCrypto", "ConsentryPolicy", "ConsentryStorage",
                "ConsentrySQLite", "ConsentryPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The web pages through a real server: sessions, CSRF, headers, OpenID Connect sign-in
        // against a provider the tests start on loopback.
        .testTarget(
            name: "ConsentryWebTests",
            dependencies: [
                "ConsentryWeb", "ConsentryHTTP", "ConsentryStore", "ConsentryTesting", "ConsentryCore", "ConsentryCrypto", "ConsentryPolicy",
                "ConsentryRecords", "ConsentryUseCases", "ConsentryStorage",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsentryHTTPTests",
            dependencies: [
                "ConsentryHTTP", "ConsentryCommands", "ConsentryStore", "ConsentryRecords", "ConsentryTesting", "ConsentryCrypto", "ConsentryCore",
                "ConsentryPolicy", "ConsentryStorage", "ConsentrySQLite", "ConsentryPostgres", "ConsentryUseCases",
                .product(name: "GRDB", package: "GRDB.swift"),
                "consentry",  // built for the tests that run the real executable
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
