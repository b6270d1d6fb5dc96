import Access
import ArgumentParser
import Audit
import Foundation
import GRDB
import Gateway
import Logging

/// `tappass-audit-bench`: the audit writer's sustained rate (batched and strict) and the time
/// `audit verify` takes, each against a baseline measured in the same run on the same disk:
/// plain SQLite inserts of the same rows (no hashing, chaining or checkpoints) and a plain scan
/// of every row. Not shipped; run by `bench/audit.sh`.
@main
struct AuditBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tappass-audit-bench")

    @Option(help: "Records for the writer runs.") var records = 200_000
    @Option(help: "Concurrent producers (request handlers).") var producers = 64
    @Option(help: "Records in the log that is verified.") var verifyRecords = 1_000_000
    @Option(help: "Work folder (a state folder is made inside).") var work: String

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)

        let raw = try rawInsertRate(records)
        let batched = try await writerRate(records, durability: .batched, logger: logger)
        let strict = try await writerRate(records / 4, durability: .strict, logger: logger)
        print("| writer | records/s | vs plain SQLite inserts (same run) |")
        print("|---|---|---|")
        print(
            "| plain SQLite inserts of the same rows, same prepared statement, 8,192 per transaction (baseline) | \(Self.format(raw)) | 1.00 |"
        )
        print("| audit writer, batched, \(producers) producers | \(Self.format(batched)) | \(String(format: "%.2f", batched / raw)) |")
        print(
            "| audit writer, strict (each producer waits for its commit), \(producers) producers | \(Self.format(strict)) | \(String(format: "%.2f", strict / raw)) |"
        )

        // The log `audit verify` is timed on (also by the shell script, through the CLI).
        let state = work + "/state"
        let made = try await fill(state: state, count: verifyRecords, logger: logger)
        let store = try AuditStore(readOnlyPath: state + "/audit.sqlite")
        let scanStart = ContinuousClock.now
        var scanned = 0
        try AuditQuery().each(in: store) { _ in scanned += 1 }
        let scan = ContinuousClock.now - scanStart
        let verifyStart = ContinuousClock.now
        let report = try AuditVerifier(store: store, publicKey: try ApplianceKey.publicKey(stateDirectory: state)).verify()
        let verify = ContinuousClock.now - verifyStart
        guard report.ok, report.records == made, scanned == made else { throw ValidationError("verify failed: \(report)") }
        print("\n| \(Self.format(Double(made))) records | seconds | vs reading every row (same run) |")
        print("|---|---|---|")
        print("| read every row (baseline) | \(Self.seconds(scan)) | 1.00 |")
        print(
            "| audit verify (leaf hashes, chain, Merkle roots, signatures) | \(Self.seconds(verify)) | \(String(format: "%.2f", verify / scan)) |"
        )
        print("\nverify log: \(state)/audit.sqlite")
    }

    func rawInsertRate(_ count: Int) throws -> Double {
        let path = work + "/raw.sqlite"
        try? FileManager.default.removeItem(atPath: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL") }
        try AuditStore.migrator.migrate(queue)
        let start = ContinuousClock.now
        var seq: Int64 = 0
        for batchStart in stride(from: 0, to: count, by: 8192) {
            try queue.write { db in
                let insert = try AuditEntry.insertStatement(db)
                for i in batchStart..<min(count, batchStart + 8192) {
                    var entry = Self.entry(i)
                    seq += 1
                    entry.seq = seq
                    entry.leafHash = Data(repeating: 1, count: 32)
                    entry.chainHash = Data(repeating: 2, count: 32)
                    try entry.insert(with: insert)
                }
            }
        }
        return Double(count) / ((ContinuousClock.now - start) / .seconds(1))
    }

    func writerRate(_ count: Int, durability: AuditSettings.Durability, logger: Logger) async throws -> Double {
        let state = work + "/writer-\(durability.rawValue)"
        try? FileManager.default.removeItem(atPath: state)
        let rate = try await withLog(state: state, durability: durability, logger: logger) { log in
            let start = ContinuousClock.now
            try await produce(count, into: log)
            return Double(count) / ((ContinuousClock.now - start) / .seconds(1))
        }
        try? FileManager.default.removeItem(atPath: state)
        return rate
    }

    func fill(state: String, count: Int, logger: Logger) async throws -> Int64 {
        try? FileManager.default.removeItem(atPath: state)
        return try await withLog(state: state, durability: .batched, logger: logger) { log in
            try await produce(count, into: log)
            return log.size
        }
    }

    /// `producers` tasks hand over `count` records; returns once all are committed.
    func produce(_ count: Int, into log: AuditLog) async throws {
        let perProducer = count / producers
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    for i in 0..<perProducer { await log.record(Self.entry(producer * perProducer + i)) }
                }
            }
        }
        let total = Int64(perProducer * producers)
        while try log.store.count().records < total { try await Task.sleep(for: .milliseconds(5)) }
    }

    func withLog<T: Sendable>(
        state: String,
        durability: AuditSettings.Durability,
        logger: Logger,
        _ body: @Sendable (AuditLog) async throws -> T
    ) async throws -> T {
        let configuration = GatewayConfiguration(stateDirectory: state, audit: AuditSettings(durability: durability))
        let log = try AuditLog(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await log.run()
                return nil
            }
            let result = try await body(log)
            group.cancelAll()
            return result
        }
    }

    static func entry(_ i: Int) -> AuditEntry {
        var entry = AuditEntry(kind: .request, name: "req_\(String(i, radix: 16))")
        entry.keyID = "k\(i % 50)"
        entry.user = "user\(i % 200)"
        entry.team = "team\(i % 10)"
        entry.client = "openai-python"
        entry.endpoint = "/v1/chat/completions"
        entry.model = "gpt-4o"
        entry.routedModel = "llama-3.1-70b"
        entry.host = "gpu/0"
        entry.status = 200
        entry.latencyMicros = Int64(1000 + i % 5000)
        entry.firstTokenMicros = Int64(200 + i % 900)
        entry.tokensIn = Int64(i % 4000)
        entry.tokensOut = Int64(i % 700)
        entry.verdict = "allow"
        entry.outcome = "completed"
        return entry
    }

    static func format(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", duration / .seconds(1))
    }
}
