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

    /// Damage found: the walk stops there.
    private struct Found: Error {
        var damage: Damage
        var seq: Int64
        var detail: String

        init(_ damage: Damage, _ seq: Int64, _ detail: String) {
            self.damage = damage
            self.seq = seq
            self.detail = detail
        }
    }

    /// Where the walk over the records stands.
    private struct Walk {
        var frontier = MerkleFrontier()
        var chain = AuditEntry.genesis
        /// The size of the last checkpoint the records matched.
        var lastGood: Int64 = 0
        /// The checkpoints to match, by the size they attest.
        var bySize: [Int64: [Claim]] = [:]
    }

    private func verify(_ db: Database) throws -> Report {
        var report = Report()
        do {
            let (stored, claims) = try signedClaims(db)
            report.checkpointsChecked = claims.count
            var walk = try start(stored: stored, claims: claims, report: &report)
            let total = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM entry") ?? 0
            try walkRecords(db, walk: &walk, report: &report, total: total)
            try checkNothingBeyond(claims, walk: walk)
            if total >= 100_000 { progress?(report.records, total) }
        } catch let found as Found {
            return Self.damaged(report, found.damage, found.seq, found.detail)
        }
        return report
    }

    /// 1. Signatures: the log's own checkpoints, then the exported ones (under the same key).
    private func signedClaims(_ db: Database) throws -> (stored: [AuditCheckpoint], claims: [Claim]) {
        let stored = try AuditCheckpoint.order(Column("size"), Column("time_ms")).fetchAll(db)
        for checkpoint in stored where !checkpoint.hasValidSignature(publicKey: publicKey) {
            throw Found(
                .badSignature,
                checkpoint.size,
                "the checkpoint at seq \(checkpoint.size) does not carry a valid appliance signature"
            )
        }
        var claims = stored.map { Claim(checkpoint: $0, exported: false) }
        if let exported {
            guard exported.publicKey == publicKey else {
                throw Found(
                    .badSignature,
                    0,
                    "the appliance key is not the one the checkpoint file names: the key (and so the log) was replaced"
                )
            }
            for checkpoint in exported.checkpoints where !checkpoint.hasValidSignature(publicKey: exported.publicKey) {
                throw Found(
                    .badSignature,
                    checkpoint.size,
                    "the exported checkpoint at seq \(checkpoint.size) does not carry a valid signature"
                )
            }
            claims += exported.checkpoints.map { Claim(checkpoint: $0, exported: true) }
        }
        return (stored, claims)
    }

    /// 2. Where the held records start: after the latest prune checkpoint, which must itself
    /// match the checkpoints of its size.
    private func start(stored: [AuditCheckpoint], claims: [Claim], report: inout Report) throws -> Walk {
        var walk = Walk()
        if let base = stored.filter({ $0.kind == "prune" }).max(by: { $0.size < $1.size }) {
            walk.frontier = try base.merkleFrontier()
            walk.chain = base.chain
            report.prunedThrough = base.size
        }
        for claim in claims where claim.checkpoint.size >= walk.frontier.size {
            walk.bySize[claim.checkpoint.size, default: []].append(claim)
        }
        walk.lastGood = walk.frontier.size
        try check(walk.bySize[walk.frontier.size] ?? [], walk: walk)
        return walk
    }

    /// 3. Every record, with one row of look-ahead to tell a swap from an edit.
    private func walkRecords(_ db: Database, walk: inout Walk, report: inout Report, total: Int64) throws {
        let rows = try AuditRowScanner(db)
        var current = try rows.next()
        while let row = current {
            let next = try rows.next()
            if report.firstSeq == nil { report.firstSeq = row.seq }
            let (leaf, link) = try Self.link(row, next: next, walk: walk)
            walk.frontier.append(leaf)
            walk.chain = link
            report.records += 1
            report.lastSeq = row.seq
            if let claims = walk.bySize[walk.frontier.size] {
                try check(claims, walk: walk)
                walk.lastGood = walk.frontier.size
            }
            if report.records % 100_000 == 0 { progress?(report.records, total) }
            current = next
        }
    }

    /// One record's leaf hash and chain link, or what is wrong with it.
    private static func link(_ row: AuditRowScanner.HeldRow, next: AuditRowScanner.HeldRow?, walk: Walk) throws -> (leaf: Data, link: Data)
    {
        let expected = walk.frontier.size + 1
        guard row.seq == expected else {
            let missing = row.seq - expected
            throw Found(.deleted, expected, "\(missing == 1 ? "record \(expected) is" : "records \(expected)–\(row.seq - 1) are") missing")
        }
        let leaf = AuditEntry.leafHash(row.canonical)
        if leaf != row.leafHash {
            if let next, leaf == next.leafHash || AuditEntry.leafHash(next.canonical) == row.leafHash {
                throw Found(.reordered, expected, "records \(expected) and \(expected + 1) were swapped")
            }
            throw Found(.edited, expected, "record \(expected) was changed after it was written")
        }
        let link = AuditEntry.chain(previous: walk.chain, leaf: leaf)
        if link != row.chainHash {
            if let next, AuditEntry.chain(previous: walk.chain, leaf: AuditEntry.leafHash(next.canonical)) == next.chainHash {
                throw Found(
                    .reordered,
                    expected,
                    "record \(expected) is out of order: record \(expected + 1) is the one that follows \(expected - 1)"
                )
            }
            throw Found(
                .deleted,
                expected,
                "record \(expected) does not follow record \(expected - 1) in the hash chain: a record before it was removed"
            )
        }
        return (leaf, link)
    }

    /// 4. Checkpoints that attest more than the log holds.
    private func checkNothingBeyond(_ claims: [Claim], walk: Walk) throws {
        let size = walk.frontier.size
        guard let beyond = claims.filter({ $0.checkpoint.size > size }).min(by: { $0.checkpoint.size < $1.checkpoint.size }) else { return }
        let source = beyond.exported ? "the exported checkpoint" : "the log's own checkpoint"
        throw Found(
            .truncated,
            size + 1,
            "\(source) attests \(beyond.checkpoint.size) records but the log ends at \(size): records were cut off or an older database file was put back"
        )
    }

    private static func damaged(_ report: Report, _ damage: Damage, _ seq: Int64, _ detail: String) -> Report {
        var report = report
        report.damage = damage
        report.seq = seq
        report.detail = detail
        return report
    }

    /// Compares the recomputed root and chain head with checkpoints of this size.
    private func check(_ claims: [Claim], walk: Walk) throws {
        guard !claims.isEmpty else { return }
        let root = walk.frontier.root
        for claim in claims where claim.checkpoint.root != root || claim.checkpoint.chain != walk.chain {
            let source = claim.exported ? "the exported checkpoint" : "the log's own checkpoint"
            throw Found(
                .rewritten,
                walk.lastGood + 1,
                "records \(walk.lastGood + 1)–\(walk.frontier.size) do not give the root \(source) signed at seq \(walk.frontier.size): the log was rewritten since"
            )
        }
    }
}
