// swift-tools-version: 6.2
import PackageDescription

// Every dependency is pinned to an exact version: Package.resolved cannot be committed here (the
// local package mirror's commit ids are not upstream's), so the manifest is the lock file. The
// .deb records the versions it was built with (packaging/build-deb.sh).

let package = Package(
    name: "tappass-appliance",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tappass", targets: ["Appliance"]),
        .executable(name: "tappass-mock-upstream", targets: ["MockUpstream"]),
        .executable(name: "tappass-audit-bench", targets: ["AuditBench"]),
        .executable(name: "tappass-license-issuer", targets: ["LicenseIssuer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", exact: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
    ],
    targets: [
        // Imports go one way, bottom to top (ARCHITECTURE.md; scripts/check-layout.py checks it
        // and that each target lists exactly what it imports).
        .target(name: "CTextScan", path: "Sources/CTextScan"),  // SIMD byte scans (C); see its header
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // The one JSON stack: JSONValue parse/serialise, JSONSpans, the SSE parser.
        .target(name: "JSONWire", dependencies: ["CTextScan", nio("NIOCore")]),
        // The YAML reader that names file, line, column and key; name patterns (globs).
        .target(name: "ConfigFile", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The detectors: secrets, personal data, exfiltration. Pure, I/O-free, no policy.
        .target(name: "TextViews", dependencies: ["CTextScan"]),
        .target(name: "Detection", dependencies: ["CTextScan", "TextViews"]),
        // Policy, inspector, redactor, stream filter, quotas, report; refuses in its own terms.
        .target(
            name: "Governance",
            dependencies: [
                "Detection", "TextViews", "JSONWire", "ConfigFile", nio("NIOCore"), .product(name: "Yams", package: "Yams"), crypto,
            ]
        ),
        // The tamper-evident audit log: store, writer, Merkle tree, signed checkpoints, verifier.
        .target(name: "Audit", dependencies: [crypto, grdb, .product(name: "GRDBSQLite", package: "GRDB.swift"), logging, lifecycle]),
        // Who may call: API keys, principals, seats, the appliance key.
        .target(name: "Access", dependencies: ["ConfigFile", crypto, grdb]),
        // Anthropic Messages <-> OpenAI chat: requests, answers, streams, stop sequences. Pure.
        .target(name: "WireTranslation", dependencies: ["JSONWire", nio("NIOCore")]),
        // Inference hosts: pools, balancing, health, breaker, the upstream client, echo.
        .target(
            name: "LocalLLM",
            dependencies: [
                "JSONWire", httpClient, nio("NIOCore"), nio("NIOHTTP1"), nio("NIOFoundationEssentialsCompat"), logging, lifecycle,
            ]
        ),
        // The HTTP server, the exchange, the OpenAI and Anthropic wire formats, observability.
        .target(
            name: "Gateway",
            dependencies: [
                "Governance", "Detection", "Audit", "Access", "LocalLLM", "WireTranslation", "JSONWire", "ConfigFile",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                nio("NIOHTTP1"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                nio("NIOCore"), nio("NIOFoundationEssentialsCompat"), logging, lifecycle,
            ]
        ),
        // The admin socket: its messages, the server (in the service) and the client (the CLI).
        .target(
            name: "AdminAPI",
            dependencies: [
                "Gateway", "Governance", "Audit", "Access",
                .product(name: "Hummingbird", package: "hummingbird"), httpClient,
                nio("NIOCore"), nio("NIOHTTP1"), nio("NIOFoundationEssentialsCompat"), logging, lifecycle,
            ]
        ),
        // One JSON value, UTF-8, no duplicate keys, nothing after it: every signed file's shape.
        .target(name: "StrictJSON"),
        .target(name: "License", dependencies: ["StrictJSON", crypto]),
        // Signed policy bundles: the .tpb archive, its manifest and signatures, every check.
        .target(
            name: "Updater",
            dependencies: ["StrictJSON", crypto, nio("NIOCore"), .product(name: "CompressNIO", package: "compress-nio")]
        ),
        .executableTarget(
            name: "Appliance",
            dependencies: [
                "Gateway", "AdminAPI", "Governance", "Detection", "Audit", "Access", "LocalLLM", "ConfigFile", "License", "Updater",
                "CSystemd",
                argumentParser, logging, lifecycle, .product(name: "UnixSignals", package: "swift-service-lifecycle"), httpClient,
                nio("NIOCore"), nio("NIOPosix"), .product(name: "Yams", package: "Yams"),
                .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"), crypto,
            ]
        ),
        // Benchmarks the audit writer and verifier (bench/audit.sh); never shipped.
        .executableTarget(name: "AuditBench", dependencies: ["Gateway", "Audit", "Access", argumentParser, grdb, logging]),
        // The vendor's license-issuing tool (tests use it with the development key); never shipped.
        .executableTarget(name: "LicenseIssuer", dependencies: ["License", argumentParser, crypto]),
        // The mock inference host the tests and benchmarks run against; never shipped.
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), nio("NIOCore"), nio("NIOFoundationEssentialsCompat"), logging,
            ]
        ),
        .executableTarget(name: "MockUpstream", dependencies: ["TestSupport", argumentParser]),
        // Seeded secret-shaped text for the detector and governance tests; never shipped.
        .target(name: "TestFixtures"),

        .testTarget(name: "JSONWireTests", dependencies: ["JSONWire", nio("NIOCore")]),
        .testTarget(name: "ConfigFileTests", dependencies: ["ConfigFile"]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "Governance", "TestFixtures"]),
        .testTarget(
            name: "GovernanceTests",
            dependencies: ["Governance", "Detection", "TextViews", "JSONWire", "ConfigFile", "TestFixtures"]
        ),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "Access", crypto, grdb, logging]),
        .testTarget(name: "AccessTests", dependencies: ["Access"]),
        .testTarget(name: "WireTranslationTests", dependencies: ["WireTranslation", "JSONWire", nio("NIOCore")]),
        .testTarget(name: "LocalLLMTests", dependencies: ["LocalLLM", "JSONWire", nio("NIOCore")]),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "Governance", "Detection", "TextViews", "Audit", "Access", "LocalLLM", "JSONWire", "TestFixtures",
                nio("NIOCore"),
            ]
        ),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON"]),
        .testTarget(
            name: "AdminAPITests",
            dependencies: ["AdminAPI", "Gateway", "Audit", "Access", "LocalLLM", httpClient, logging]
        ),
        .testTarget(name: "LicenseTests", dependencies: ["License", crypto]),
        .testTarget(
            name: "UpdaterTests",
            dependencies: ["Updater", nio("NIOCore"), .product(name: "CompressNIO", package: "compress-nio")]
        ),
        .testTarget(name: "ApplianceTests", dependencies: ["Appliance", "AdminAPI", "Gateway", "ConfigFile", "LocalLLM", logging]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Gateway", "Audit", "Access", "LocalLLM", "JSONWire", "TestSupport", httpClient, logging,
                nio("NIOCore"), nio("NIOHTTP1"), nio("NIOFoundationEssentialsCompat"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system && target.name != "CTextScan" {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("InternalImportsByDefault"),
            .enableUpcomingFeature("MemberImportVisibility"),
            // Our own code builds warning-free, and stays so (dependencies are not affected).
            .unsafeFlags(["-warnings-as-errors"]),
        ]
}

func nio(_ product: String) -> Target.Dependency { .product(name: product, package: "swift-nio") }
var crypto: Target.Dependency { .product(name: "Crypto", package: "swift-crypto") }
var grdb: Target.Dependency { .product(name: "GRDB", package: "GRDB.swift") }
var logging: Target.Dependency { .product(name: "Logging", package: "swift-log") }
var lifecycle: Target.Dependency { .product(name: "ServiceLifecycle", package: "swift-service-lifecycle") }
var httpClient: Target.Dependency { .product(name: "AsyncHTTPClient", package: "async-http-client") }
var argumentParser: Target.Dependency { .product(name: "ArgumentParser", package: "swift-argument-parser") }
