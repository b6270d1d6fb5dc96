import Access
import Audit
import Crypto
import Foundation
import GRDB
import Testing

/// Each kind of damage is found, at the exact record where the issue allows it.
@Suite struct AuditTamperTests {
    /// 50 records, checkpoints every 10.
    func withLog(_ body: (AuditFixture) async throws -> Void) async throws {
        try await AuditFixture.with(checkpointEvery: 10) { fixture in
            await fixture.fill(1...50)
            let report = try fixture.verify()
            #expect(report.ok && report.records == 50 && report.checkpointsChecked == 5)
            try await body(fixture)
        }
    }

    @Test func anUntouchedLogVerifies() async throws {
        try await withLog { _ in }
    }

    @Test func changingOneColumnIsAnEdit() async throws {
        try await withLog { fixture in
            try await fixture.store.write { try $0.execute(sql: "UPDATE entry SET status = 500 WHERE seq = 17") }
            let report = try fixture.verify()
            #expect(report.damage == .edited && report.seq == 17)
        }
    }

    /// The policy version a record names is covered like every other column: added where there
    /// was none, changed, or removed, the record no longer verifies.
    @Test func changingThePolicyVersionIsAnEdit() async throws {
        try await withLog { fixture in
            var judged = AuditFixture.request(51)
            judged.policy = "bundle:3"
            await fixture.log.record(judged)
            #expect(try fixture.verify().ok)
            for sql in [
                "UPDATE entry SET policy = 'bundle:2' WHERE seq = 17", "UPDATE entry SET policy = 'bundle:2' WHERE seq = 51",
                "UPDATE entry SET policy = NULL WHERE seq = 51",
            ] {
                try await fixture.store.write { try $0.execute(sql: sql) }
                let report = try fixture.verify()
                #expect(report.damage == .edited && report.seq == (sql.contains("17") ? 17 : 51), "\(sql)")
                try await fixture.store.write {
                    try $0.execute(sql: "UPDATE entry SET policy = NULL WHERE seq = 17")
                    try $0.execute(sql: "UPDATE entry SET policy = 'bundle:3' WHERE seq = 51")
                }
            }
            #expect(try fixture.verify().ok)
        }
    }

    @Test func deletingARecordIsFoundAtItsNumber() async throws {
        try await withLog { fixture in
            try await fixture.store.write { try $0.execute(sql: "DELETE FROM entry WHERE seq = 17") }
            let report = try fixture.verify()
            #expect(report.damage == .deleted && report.seq == 17)
        }
    }

    @Test func deletingAndRenumberingIsStillADeletion() async throws {
        try await withLog { fixture in
            try await fixture.store.write { db in
                try db.execute(sql: "DELETE FROM entry WHERE seq = 17")
                try db.execute(sql: "UPDATE entry SET seq = seq - 1 WHERE seq > 17")
            }
            let report = try fixture.verify()
            #expect(report.damage == .deleted && report.seq == 17)
        }
    }

    @Test func swappingTwoRecordsIsAReorder() async throws {
        try await withLog { fixture in
            try await fixture.store.write { db in
                try db.execute(sql: "UPDATE entry SET seq = -1 WHERE seq = 17")
                try db.execute(sql: "UPDATE entry SET seq = 17 WHERE seq = 18")
                try db.execute(sql: "UPDATE entry SET seq = 18 WHERE seq = -1")
            }
            let report = try fixture.verify()
            #expect(report.damage == .reordered && report.seq == 17)
        }
    }

    @Test func swappingOnlyTheContentIsAReorderToo() async throws {
        try await withLog { fixture in
            try await fixture.store.write { db in
                try db.execute(sql: "UPDATE entry SET name = 'tmp' WHERE seq = 17")
                try db.execute(
                    sql: "UPDATE entry SET name = 'req_17', tokens_out = 17, latency_us = 1017, time_ms = time_ms - 1000 WHERE seq = 18"
                )
                try db.execute(
                    sql: "UPDATE entry SET name = 'req_18', tokens_out = 18, latency_us = 1018, time_ms = time_ms + 1000 WHERE seq = 17"
                )
            }
            let report = try fixture.verify()
            #expect(report.damage == .reordered && report.seq == 17)
        }
    }

    @Test func cuttingTheTailIsATruncation() async throws {
        try await withLog { fixture in
            try await fixture.store.write { try $0.execute(sql: "DELETE FROM entry WHERE seq > 43") }
            let report = try fixture.verify()
            #expect(report.damage == .truncated && report.seq == 44)
        }
    }

    /// Someone edits record 17 and recomputes every hash after it: the chain is whole again,
    /// but the signed checkpoint roots no longer match.
    @Test func aRewrittenChainIsCaughtByTheCheckpoints() async throws {
        try await withLog { fixture in
            try rewrite(fixture, from: 17)
            let report = try fixture.verify()
            #expect(report.damage == .rewritten)
            #expect(report.seq == 11, "the damage lies after the last good checkpoint (10)")
        }
    }

    /// …and if they also put the new roots in the checkpoints, the signatures fail.
    @Test func rewrittenCheckpointsHaveBadSignatures() async throws {
        try await withLog { fixture in
            try rewrite(fixture, from: 17)
            try await fixture.store.write { db in
                var frontier = MerkleFrontier()
                let leaves = try Data.fetchAll(db, sql: "SELECT leaf_hash FROM entry ORDER BY seq")
                var roots: [Int64: Data] = [:]
                for leaf in leaves {
                    frontier.append(leaf)
                    roots[frontier.size] = frontier.root
                }
                for (size, root) in roots where size % 10 == 0 {
                    try db.execute(sql: "UPDATE checkpoint SET root = ? WHERE size = ?", arguments: [root, size])
                }
            }
            let report = try fixture.verify()
            #expect(report.damage == .badSignature && report.seq == 20)
        }
    }

    /// Without the log's own checkpoints (deleted too), an exported checkpoint still catches it.
    @Test func aRewriteWithCheckpointsRemovedIsCaughtByAnExportedCheckpoint() async throws {
        try await withLog { fixture in
            let exported = (fixture.key.publicKey, try fixture.store.checkpoints())
            try rewrite(fixture, from: 17)
            try await fixture.store.write { try $0.execute(sql: "DELETE FROM checkpoint") }
            #expect(try fixture.verify().ok, "nothing on the box can tell")
            let report = try fixture.verify(exported: exported)
            #expect(report.damage == .rewritten)
        }
    }

    /// An old copy of the database put back in place: an exported checkpoint attests more.
    @Test func replayingAnOldDatabaseFileIsCaughtByAnExportedCheckpoint() async throws {
        try await AuditFixture.with(checkpointEvery: 10) { fixture in
            await fixture.fill(1...30)
            let old = fixture.directory + "/old.sqlite"
            try fixture.store.copy(to: old)
            await fixture.fill(31...50)
            _ = try await fixture.log.checkpointNow()
            let file = try JSONEncoder().encode(
                CheckpointFile(publicKey: fixture.key.publicKey, checkpoints: try fixture.store.checkpoints())
            )
            let path = fixture.directory + "/checkpoints.json"
            try file.write(to: URL(fileURLWithPath: path))
            let exported = try CheckpointFile.load(path: path)

            let replayed = try AuditStore(readOnlyPath: old)
            let verifier = AuditVerifier(store: replayed, publicKey: fixture.key.publicKey, exported: exported)
            let report = try verifier.verify()
            #expect(report.damage == .truncated && report.seq == 31)
            #expect(try AuditVerifier(store: replayed, publicKey: fixture.key.publicKey).verify().ok, "alone, the old file looks fine")
        }
    }

    @Test func aCheckpointFileFromAnotherApplianceIsRefused() async throws {
        try await withLog { fixture in
            let other = ApplianceKey(privateKey: .init())
            let report = try fixture.verify(exported: (other.publicKey, []))
            #expect(report.damage == .badSignature)
        }
    }

    /// Recomputes leaf and chain hashes from `seq` on, after changing that record.
    func rewrite(_ fixture: AuditFixture, from seq: Int64) throws {
        try fixture.store.write { db in
            try db.execute(sql: "UPDATE entry SET user = 'mallory' WHERE seq = ?", arguments: [seq])
            var chain = try Data.fetchOne(db, sql: "SELECT chain_hash FROM entry WHERE seq = ?", arguments: [seq - 1]) ?? AuditEntry.genesis
            for var entry in try AuditEntry.filter(Column("seq") >= seq).order(Column("seq")).fetchAll(db) {
                entry.leafHash = entry.computedLeafHash
                entry.chainHash = AuditEntry.chain(previous: chain, leaf: entry.leafHash)
                chain = entry.chainHash
                try entry.update(db)
            }
        }
    }
}
