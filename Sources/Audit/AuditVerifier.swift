package import Foundation
import GRDB

/// Checks the whole log: every record against its leaf hash, the hash chain, and every signed
/// checkpoint (the log's own and, optionally, ones an auditor exported earlier). Stops at the
/// first damage and says which record and what kind.
package struct AuditVerifier {
    package enum Damage: String, Sendable, Codable {
        case edited, deleted, reordered, truncated
        case badSignature = "bad-signature"
        case rewritten
    }

    package struct Report: Sendable, Codable {
        package var records: Int64 = 0
        package var firstSeq: Int64?
        package var lastSeq: Int64?
        package var prunedThrough: Int64 = 0
        package var checkpointsChecked = 0
        package var damage: Damage?
        /// The first bad sequence number.
        package var seq: Int64?
        package var detail: String?

        package var ok: Bool { damage == nil }
    }

    let store: AuditStore
    let publicKey: Data
    /// Checkpoints exported earlier, with the public key the file names.
    var exported: (publicKey: Data, checkpoints: [AuditCheckpoint])?
    /// Called every 100,000 records with (records checked, records in the log).
    var progress: ((Int64, Int64) -> Void)?

    package init(
        store: AuditStore,
        publicKey: Data,
        exported: (publicKey: Data, checkpoints: [AuditCheckpoint])? = nil,
        progress: ((Int64, Int64) -> Void)? = nil
    ) {
        self.store = store
        self.publicKey = publicKey
        self.exported = exported
        self.progress = progress
    }

    private struct Claim {
        var checkpoint: AuditCheckpoint
        var exported: Bool
    }

    package func verify() throws -> Report {
        try store.read { db in try verify(db) }
    }

    private func verify(_ db: Database) throws -> Report {
        var report = Report()

        // 1. Signatures.
        let stored = try AuditCheckpoint.order(Column("size"), Column("time_ms")).fetchAll(db)
        for checkpoint in stored where !checkpoint.hasValidSignature(publicKey: publicKey) {
            return Self.damaged(
                report,
                .badSignature,
                checkpoint.size,
                "the checkpoint at seq \(checkpoint.size) does not carry a valid appliance signature"
            )
        }
        var claims = stored.map { Claim(checkpoint: $0, exported: false) }
        if let exported {
            guard exported.publicKey == publicKey else {
                return Self.damaged(
                    report,
                    .badSignature,
                    0,
                    "the appliance key is not the one the checkpoint file names: the key (and so the log) was replaced"
                )
            }
            for checkpoint in exported.checkpoints where !checkpoint.hasValidSignature(publicKey: exported.publicKey) {
                return Self.damaged(
                    report,
                    .badSignature,
                    checkpoint.size,
                    "the exported checkpoint at seq \(checkpoint.size) does not carry a valid signature"
                )
            }
            claims += exported.checkpoints.map { Claim(checkpoint: $0, exported: true) }
        }
        report.checkpointsChecked = claims.count

        // 2. Where the held records start: after the latest prune checkpoint.
        var frontier = MerkleFrontier()
        var chain = AuditEntry.genesis
        if let base = stored.filter({ $0.kind == "prune" }).max(by: { $0.size < $1.size }) {
            frontier = try base.merkleFrontier()
            chain = base.chain
            report.prunedThrough = base.size
        }
        var bySize: [Int64: [Claim]] = [:]
        for claim in claims where claim.checkpoint.size >= frontier.size {
            bySize[claim.checkpoint.size, default: []].append(claim)
        }
        let total = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM entry") ?? 0
        var lastGood = frontier.size
        if let damage = check(bySize[frontier.size] ?? [], frontier: frontier, chain: chain, since: lastGood) {
            return Self.damaged(report, damage.0, damage.1, damage.2)
        }

        // 3. Every record, with one row of look-ahead to tell a swap from an edit.
        let rows = try AuditRowScanner(db)
        var current = try rows.next()
        while let row = current {
            let next = try rows.next()
            let expected = frontier.size + 1
            if report.firstSeq == nil { report.firstSeq = row.seq }
            guard row.seq == expected else {
                let missing = row.seq - expected
                return Self.damaged(
                    report,
                    .deleted,
                    expected,
                    "\(missing == 1 ? "record \(expected) is" : "records \(expected)–\(row.seq - 1) are") missing"
                )
            }
            let leaf = AuditEntry.leafHash(row.canonical)
            if leaf != row.leafHash {
                if let next, leaf == next.leafHash || AuditEntry.leafHash(next.canonical) == row.leafHash {
                    return Self.damaged(report, .reordered, expected, "records \(expected) and \(expected + 1) were swapped")
                }
                return Self.damaged(report, .edited, expected, "record \(expected) was changed after it was written")
            }
            let link = AuditEntry.chain(previous: chain, leaf: leaf)
            if link != row.chainHash {
                if let next, AuditEntry.chain(previous: chain, leaf: AuditEntry.leafHash(next.canonical)) == next.chainHash {
                    return Self.damaged(
                        report,
                        .reordered,
                        expected,
                        "record \(expected) is out of order: record \(expected + 1) is the one that follows \(expected - 1)"
                    )
                }
                return Self.damaged(
                    report,
                    .deleted,
                    expected,
                    "record \(expected) does not follow record \(expected - 1) in the hash chain: a record before it was removed"
                )
            }
            frontier.append(leaf)
            chain = link
            report.records += 1
            report.lastSeq = row.seq
            if let claims = bySize[frontier.size] {
                if let damage = check(claims, frontier: frontier, chain: chain, since: lastGood) {
                    return Self.damaged(report, damage.0, damage.1, damage.2)
                }
                lastGood = frontier.size
            }
            if report.records % 100_000 == 0 { progress?(report.records, total) }
            current = next
        }

        // 4. Checkpoints that attest more than the log holds.
        if let beyond = claims.filter({ $0.checkpoint.size > frontier.size }).min(by: { $0.checkpoint.size < $1.checkpoint.size }) {
            let source = beyond.exported ? "the exported checkpoint" : "the log's own checkpoint"
            return Self.damaged(
                report,
                .truncated,
                frontier.size + 1,
                "\(source) attests \(beyond.checkpoint.size) records but the log ends at \(frontier.size): records were cut off or an older database file was put back"
            )
        }
        if total >= 100_000 { progress?(report.records, total) }
        return report
    }

    private static func damaged(_ report: Report, _ damage: Damage, _ seq: Int64, _ detail: String) -> Report {
        var report = report
        report.damage = damage
        report.seq = seq
        report.detail = detail
        return report
    }

    /// Compares the recomputed root and chain head with checkpoints of this size.
    private func check(_ claims: [Claim], frontier: MerkleFrontier, chain: Data, since lastGood: Int64) -> (Damage, Int64, String)? {
        guard !claims.isEmpty else { return nil }
        let root = frontier.root
        for claim in claims where claim.checkpoint.root != root || claim.checkpoint.chain != chain {
            let source = claim.exported ? "the exported checkpoint" : "the log's own checkpoint"
            return (
                .rewritten, lastGood + 1,
                "records \(lastGood + 1)–\(frontier.size) do not give the root \(source) signed at seq \(frontier.size): the log was rewritten since"
            )
        }
        return nil
    }
}
