package import Foundation
import GRDB
import Logging
import Synchronization

/// The audit log's writing, run on the writer thread (or by the CLI when no service runs):
/// chaining and inserting a group of records in one transaction, signed checkpoints, pruning.
/// Synchronous on purpose: the writer thread is the only caller while the service runs.
extension AuditLog {
    /// How far the wall clock may step back before the log records a `clock.rollback` event
    /// (NTP corrections are far smaller).
    static let rollbackTolerance: Int64 = 5_000

    /// Chains and inserts a batch in one transaction; the in-memory head moves only on commit.
    func append(_ batch: [AuditEntry]) throws {
        let start = head.withLock { $0 }
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        var withEvents = batch
        if now + Self.rollbackTolerance < start.latestWallTime {
            let seen = AuditExportFormat.iso(start.latestWallTime)
            let clock = AuditExportFormat.iso(now)
            logger.critical("the system clock went back", metadata: ["clock.latest_seen": "\(seen)", "clock.now": "\(clock)"])
            withEvents.insert(.event("clock.rollback", detail: ["latest_seen": seen, "now": clock]), at: 0)
        }
        let entries = withEvents
        let due = start.frontier.size + Int64(entries.count) - start.lastCheckpointSize >= Int64(settings.checkpointEvery)
        let signer = self.signer
        let (frontier, chain, checkpoint) = try store.write { db -> (MerkleFrontier, Data, AuditCheckpoint?) in
            var frontier = start.frontier
            var chain = start.chain
            let insert = try AuditEntry.insertStatement(db)
            for var entry in entries {
                entry.seq = frontier.size + 1
                entry.leafHash = entry.computedLeafHash
                entry.chainHash = AuditEntry.chain(previous: chain, leaf: entry.leafHash)
                try entry.insert(with: insert)
                frontier.append(entry.leafHash)
                chain = entry.chainHash
            }
            var checkpoint: AuditCheckpoint?
            if due {
                checkpoint = try AuditCheckpoint(frontier: frontier, chain: chain, time: Date(), kind: "periodic", signer: signer)
                try checkpoint!.insert(db)
            }
            return (frontier, chain, checkpoint)
        }
        head.withLock { head in
            head.frontier = frontier
            head.chain = chain
            head.latestWallTime = max(now, entries.map(\.timeMillis).max() ?? now)
            head.highestWallTime = max(head.highestWallTime, head.latestWallTime)
            if let checkpoint {
                head.lastCheckpointSize = checkpoint.size
                head.lastCheckpointTime = .now
            }
        }
    }

    /// A checkpoint made by the CLI itself, when no service (and so no writer task) runs.
    package func checkpointWithoutService() throws -> AuditCheckpoint {
        try writeCheckpoint(kind: "export", force: true)!
    }

    /// Records written by the CLI itself, when no service (and so no writer task) runs.
    package func appendWithoutService(_ entries: [AuditEntry]) throws {
        try append(entries)
    }

    /// A prune done by the CLI itself, when no service (and so no writer task) runs.
    package func pruneWithoutService(before: Date) throws -> PruneResult {
        let result = try prunePrefix(before: before)
        try append([.event("audit.pruned", detail: ["before": "\(before)", "pruned_through": "\(result.prunedThrough)"])])
        return result
    }

    /// A checkpoint of the current head; unless forced, only when records came since the last
    /// one and the interval has passed.
    func writeCheckpoint(kind: String, force: Bool, ignoreInterval: Bool = false) throws -> AuditCheckpoint? {
        let current = head.withLock { $0 }
        if !force {
            guard current.frontier.size > current.lastCheckpointSize,
                ignoreInterval || ContinuousClock.now - current.lastCheckpointTime >= settings.checkpointInterval
            else { return nil }
        }
        let checkpoint = try AuditCheckpoint(frontier: current.frontier, chain: current.chain, time: Date(), kind: kind, signer: signer)
        try store.write { db in try checkpoint.insert(db) }
        head.withLock {
            $0.lastCheckpointSize = checkpoint.size
            $0.lastCheckpointTime = .now
        }
        return checkpoint
    }

    /// Deletes the oldest records (a prefix of the log, all older than `before`) and stores the
    /// signed frontier at the cut, so the rest still verifies and proves.
    func prunePrefix(before: Date) throws -> PruneResult {
        let cutoff = Int64((before.timeIntervalSince1970 * 1000).rounded())
        let signer = self.signer
        let result = try store.write { db -> PruneResult in
            var frontier = MerkleFrontier()
            var chain = AuditEntry.genesis
            if let base = try AuditStore.pruneBase(db) {
                frontier = try base.merkleFrontier()
                chain = base.chain
            }
            let firstKept = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM entry WHERE time_ms >= ?", arguments: [cutoff])
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM entry") ?? frontier.size
            let cut = firstKept.map { $0 - 1 } ?? last
            guard cut > frontier.size else { return PruneResult(removed: 0, prunedThrough: frontier.size) }
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT leaf_hash, chain_hash FROM entry WHERE seq > ? AND seq <= ? ORDER BY seq",
                arguments: [frontier.size, cut]
            )
            while let row = try rows.next() {
                frontier.append(row[0])
                chain = row[1]
            }
            guard frontier.size == cut else { throw AuditError("records before \(cut) are missing; run 'tappass audit verify'") }
            let checkpoint = try AuditCheckpoint(frontier: frontier, chain: chain, time: Date(), kind: "prune", signer: signer)
            try checkpoint.insert(db)
            try db.execute(sql: "DELETE FROM entry WHERE seq <= ?", arguments: [cut])
            return PruneResult(removed: Int64(db.changesCount), prunedThrough: cut)
        }
        logger.notice(
            "audit log pruned",
            metadata: ["audit.removed": "\(result.removed)", "audit.pruned_through": "\(result.prunedThrough)"]
        )
        return result
    }
}
