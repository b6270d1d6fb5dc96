import Access
import Audit
import Foundation
import GRDB
import Logging

/// A real audit log in a temporary folder, with its writer running.
struct AuditFixture {
    let directory: String
    let store: AuditStore
    let log: AuditLog
    let key: ApplianceKey

    static func with(
        durability: AuditSettings.Durability = .strict,
        checkpointEvery: Int = 10,
        prepare: (String) throws -> Void = { _ in },
        _ body: (AuditFixture) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tappass-audit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try prepare(directory)
        var logger = Logger(label: "audit-test")
        logger.logLevel = .critical
        let store = try AuditStore(path: directory + "/audit.sqlite", synchronousFull: durability == .strict)
        let key = try ApplianceKey.loadOrCreate(stateDirectory: directory)
        let settings = AuditSettings(
            durability: durability,
            checkpointEvery: checkpointEvery,
            checkpointInterval: .seconds(3600),
            retryInterval: .milliseconds(50)
        )
        let log = try AuditLog(store: store, signer: AuditSigner(privateKey: key.privateKey), settings: settings, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await log.run() }
            defer { group.cancelAll() }
            try await body(AuditFixture(directory: directory, store: store, log: log, key: key))
        }
    }

    static func request(_ i: Int, user: String = "alice") -> AuditEntry {
        var entry = AuditEntry(time: Date(timeIntervalSince1970: 1_790_000_000 + Double(i)), kind: .request, name: "req_\(i)")
        entry.keyID = "k1"
        entry.user = user
        entry.team = "eng"
        entry.endpoint = "/v1/chat/completions"
        entry.model = "gpt-4o"
        entry.status = 200
        entry.latencyMicros = Int64(1000 + i)
        entry.tokensIn = 10
        entry.tokensOut = Int64(i)
        entry.outcome = "completed"
        return entry
    }

    /// Appends `count` request records, committed.
    func fill(_ range: ClosedRange<Int>) async {
        for i in range { await log.record(Self.request(i)) }
    }

    func verify(exported: (publicKey: Data, checkpoints: [AuditCheckpoint])? = nil) throws -> AuditVerifier.Report {
        try AuditVerifier(store: store, publicKey: key.publicKey, exported: exported).verify()
    }
}
