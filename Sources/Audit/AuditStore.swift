package import Foundation
package import GRDB

/// The audit database (`audit.sqlite`, WAL): the `entry` table and the `checkpoint` table,
/// created by named, append-only migrations. The service's ``AuditLog`` is its only writer;
/// the CLI opens it read-only while the service runs.
package final class AuditStore: Sendable {
    package let path: String
    let database: DatabasePool
    /// A connection of its own for WAL checkpoints, so they never run inside a commit.
    private let checkpointer: DatabaseQueue?

    /// Opens (creating and migrating) the database for writing.
    /// - synchronousFull: `FULL` makes every commit durable across power loss, `NORMAL` (WAL)
    ///   across process crashes.
    package init(path: String, synchronousFull: Bool = true) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronousFull ? "FULL" : "NORMAL")")
            // No checkpoint inside a commit (it would stall the requests waiting on that commit):
            // ``checkpointWAL()`` runs them beside the writer.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            // After a checkpoint the WAL file is cut back to this size instead of staying at its peak.
            try db.execute(sql: "PRAGMA journal_size_limit = \(Self.walLimit)")
        }
        database = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
        var checkpointing = Configuration()
        checkpointing.busyMode = .timeout(5)
        checkpointer = try DatabaseQueue(path: path, configuration: checkpointing)
    }

    /// Opens an existing database read-only (for `audit verify`, `query`, `export`, `prove`).
    package init(readOnlyPath path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw AuditError("\(path): no audit log here") }
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
        checkpointer = nil
        let applied = try database.read { try Self.migrator.appliedIdentifiers($0) }
        let unknown = Set(applied).subtracting(Self.migrator.migrations)
        guard unknown.isEmpty else {
            throw AuditError("\(path): written by a newer tappass (schema \(unknown.sorted().joined(separator: ", ")))")
        }
    }

    /// Append-only: a released migration is never edited, only followed by new ones.
    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-audit-log") { db in
            try db.create(table: "entry") { table in
                table.primaryKey("seq", .integer)
                table.column("time_ms", .integer).notNull()
                table.column("kind", .text).notNull()
                table.column("name", .text).notNull()
                for column in ["key_id", "user", "team", "client", "endpoint", "model", "routed_model", "host"] {
                    table.column(column, .text)
                }
                for column in ["status", "latency_us", "first_token_us", "tokens_in", "tokens_out"] {
                    table.column(column, .integer)
                }
                for column in ["verdict", "findings", "outcome", "detail"] {
                    table.column(column, .text)
                }
                table.column("leaf_hash", .blob).notNull()
                table.column("chain_hash", .blob).notNull()
            }
            try db.create(index: "entry_time", on: "entry", columns: ["time_ms"])
            try db.create(table: "checkpoint") { table in
                table.column("size", .integer).notNull()
                table.column("root", .blob).notNull()
                table.column("chain", .blob).notNull()
                table.column("time_ms", .integer).notNull()
                table.column("kind", .text).notNull()
                table.column("frontier", .blob).notNull()
                table.column("signature", .blob).notNull()
            }
        }
        migrator.registerMigration("v2-query-indexes") { db in
            try db.create(index: "entry_user_time", on: "entry", columns: ["user", "time_ms"])
            try db.create(index: "entry_team_time", on: "entry", columns: ["team", "time_ms"])
        }
        migrator.registerMigration("v3-policy-version") { db in
            try db.alter(table: "entry") { table in table.add(column: "policy", .text) }
        }
        return migrator
    }

    /// Where appending goes on: the Merkle frontier and chain head after the last record, from
    /// the latest prune checkpoint (if any) and the records after it.
    package func head() throws -> (frontier: MerkleFrontier, chain: Data) {
        try database.read { db in
            var frontier = MerkleFrontier()
            var chain = AuditEntry.genesis
            if let base = try Self.pruneBase(db) {
                frontier = try base.merkleFrontier()
                chain = base.chain
            }
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT leaf_hash, chain_hash FROM entry WHERE seq > ? ORDER BY seq",
                arguments: [frontier.size]
            )
            while let row = try rows.next() {
                frontier.append(row[0])
                chain = row[1]
            }
            return (frontier, chain)
        }
    }

    /// The checkpoint the log was last pruned at: the records before it are gone.
    static func pruneBase(_ db: Database) throws -> AuditCheckpoint? {
        try AuditCheckpoint.filter(Column("kind") == "prune").order(Column("size").desc).fetchOne(db)
    }

    /// The latest time in the log: of any record or checkpoint (ms since 1970).
    package func latestTime() throws -> Int64? {
        try database.read { db in
            try Int64.fetchOne(
                db,
                sql: "SELECT MAX(t) FROM (SELECT MAX(time_ms) AS t FROM entry UNION ALL SELECT MAX(time_ms) FROM checkpoint)"
            )
        }
    }

    /// The events with one of `names`, oldest first: their time and detail (JSON text).
    package func events(named names: [String]) throws -> [(time: Date, name: String, detail: String?)] {
        guard !names.isEmpty else { return [] }
        return try database.read { db in
            let marks = Array(repeating: "?", count: names.count).joined(separator: ",")
            return try Row.fetchAll(
                db,
                sql: "SELECT time_ms, name, detail FROM entry WHERE kind = 'event' AND name IN (\(marks)) ORDER BY seq",
                arguments: StatementArguments(names)
            ).map { row in (Date(timeIntervalSince1970: Double(row[0] as Int64) / 1000), row[1], row[2]) }
        }
    }

    package func checkpoints() throws -> [AuditCheckpoint] {
        try database.read { try AuditCheckpoint.order(Column("size"), Column("time_ms")).fetchAll($0) }
    }

    package func count() throws -> (records: Int, first: Int64?, last: Int64?) {
        try database.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), MIN(seq), MAX(seq) FROM entry")
            return (row?[0] ?? 0, row?[1], row?[2])
        }
    }

    /// Runs `body` on a read transaction (a consistent snapshot while the writer goes on).
    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        try database.read(body)
    }

    package func write<T>(_ body: (Database) throws -> T) throws -> T {
        try database.write(body)
    }

    package func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.write(body)
    }

    /// Copies committed WAL frames into the database file without blocking the writer
    /// (SQLite's PASSIVE checkpoint); the WAL restarts from the beginning once all is copied.
    /// The WAL size past which the writer checkpoints it itself (``boundWAL()``).
    static let walLimit: Int64 = 32 << 20

    /// Keeps the WAL bounded under sustained load, where the passive checkpoints beside the
    /// writer never catch up: past ``walLimit``, a TRUNCATE checkpoint on the writer's own
    /// connection (between two commits, so no reader of an older snapshot is cut off and no new
    /// write can start meanwhile). Returns whether it ran.
    @discardableResult
    package func boundWAL() throws -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "-wal")
        guard let size = attributes?[.size] as? Int64, size > Self.walLimit else { return false }
        try database.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        return true
    }

    package func checkpointWAL() async throws {
        try await checkpointer?.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
    }

    /// A consistent copy of the whole database (SQLite's online backup), e.g. for an auditor.
    package func copy(to path: String) throws {
        let destination = try DatabaseQueue(path: path)
        try database.backup(to: destination)
    }

    /// `PRAGMA integrity_check`: "ok" or SQLite's list of problems.
    package func integrityCheck() throws -> String {
        try database.read { try String.fetchAll($0, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }
}
