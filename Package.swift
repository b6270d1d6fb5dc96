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
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
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
        .systemLibrary(
            name: "CSystemd",
            path: "Sources/CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .executableTarget(
            name: "Appliance",
            dependencies: [
                "Gateway", "AdminAPI", "LocalLLM", "JSONWire", "ConfigFile", "Detection", "Governance", "Audit", "Access", "License",
                "Updater",
                "CSystemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The detectors' byte-classification pass (SSE2); see its header comment.
        .target(name: "CTextScan", path: "Sources/CTextScan"),
        // The one JSON stack: JSONValue parse/serialise, JSONSpans, the SSE parser.
        .target(
            name: "JSONWire",
            dependencies: ["CTextScan", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // The YAML reader that reports file, line, column and key; used by the appliance's
        // configuration and the policy.
        .target(
            name: "ConfigFile",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // The detectors: secrets, personal data, exfiltration destinations and patterns. Pure,
        // I/O-free, no policy semantics.
        .target(name: "Detection", dependencies: ["CTextScan"]),
        // The policy, the inspector, redactor, stream filter, quotas and the report; returns
        // verdicts and refusals in its own terms, never HTTP errors.
        .target(
            name: "Governance",
            dependencies: [
                "Detection", "JSONWire", "ConfigFile",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The tamper-evident audit log: store, single writer, Merkle tree, signed checkpoints,
        // proofs and the offline verifier. Its signer is handed in.
        .target(
            name: "Audit",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Who may call: API keys and their store, principals, seats, the appliance key.
        .target(
            name: "Access",
            dependencies: [
                "ConfigFile",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "LocalLLM", "JSONWire", "ConfigFile", "Detection", "Governance", "Audit", "Access",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "LocalLLM",
            dependencies: [
                "JSONWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The admin socket: its messages, the server (in the service) and the client (the CLI).
        .target(
            name: "AdminAPI",
            dependencies: [
                "Gateway", "Access", "Audit", "Governance",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "License", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Updater", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Seeded secret-shaped text for the detector and governance tests; never shipped.
        .target(name: "TestFixtures"),
        // Benchmarks the audit writer and verifier (bench/audit.sh); never shipped.
        .executableTarget(
            name: "AuditBench",
            dependencies: [
                "Gateway", "Audit", "Access", "JSONWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The vendor's license-issuing tool (tests use it with the development key); never shipped.
        .executableTarget(
            name: "LicenseIssuer",
            dependencies: [
                "License",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "MockUpstream",
            dependencies: [
                "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ApplianceTests",
            dependencies: [
                "JSONWire", "Detection", "Governance", "Audit", "Access", "ConfigFile", "Appliance", "Gateway", "LocalLLM",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "JSONWire", "Detection", "Governance", "Audit", "Access", "ConfigFile", "Gateway", "LocalLLM", "TestFixtures",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "ConfigFileTests", dependencies: ["ConfigFile"]),
        .testTarget(
            name: "AuditTests",
            dependencies: [
                "Audit", "Access",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "AccessTests", dependencies: ["Access"]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "Governance", "TestFixtures"]),
        .testTarget(
            name: "GovernanceTests",
            dependencies: ["Governance", "Detection", "JSONWire", "TestFixtures", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "JSONWireTests",
            dependencies: ["JSONWire", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "LocalLLMTests",
            dependencies: [
                "LocalLLM", "JSONWire",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "LicenseTests",
            dependencies: ["License", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "UpdaterTests", dependencies: ["Updater"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "JSONWire", "Detection", "Governance", "Audit", "Access", "Gateway", "LocalLLM", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
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
