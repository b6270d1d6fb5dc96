import Access
import Audit
import Crypto
import Foundation
import GRDB
import Logging
import Testing

@Suite struct AuditLogTests {
    @Test func recordsAreChainedInOrderWithCheckpointsEveryN() async throws {
        try await AuditFixture.with(checkpointEvery: 7) { fixture in
            await withTaskGroup(of: Void.self) { group in
                for i in 1...40 { group.addTask { await fixture.log.record(AuditFixture.request(i)) } }
            }
            let count = try fixture.store.count()
            #expect(count.records == 40 && count.first == 1 && count.last == 40)
            let sizes = try fixture.store.checkpoints().map(\.size)
            // Group commit may put several records in one batch: a checkpoint follows any batch
            // that brings N records since the last one, so no more than N-1 stay uncovered.
            #expect(!sizes.isEmpty && sizes.allSatisfy { $0 <= 40 } && 40 - sizes.last! < 7)
            #expect(try fixture.verify().ok)
        }
    }

    /// A strict record is committed when `record` returns, whether its caller committed it
    /// itself (the log was idle) or the writer thread did with others (it was busy): lone
    /// callers and a crowd, interleaved, leave one gapless, verifiable chain.
    @Test func strictRecordsAreCommittedOnReturnAloneOrInACrowd() async throws {
        try await AuditFixture.with(checkpointEvery: 50) { fixture in
            var next = 0
            for round in 0..<20 {
                next += 1
                #expect(await fixture.log.record(AuditFixture.request(next)))
                let committed = try fixture.store.count().records
                #expect(committed == next, "committed before record returned")
                let crowd = round % 2 == 0 ? 30 : 3
                await withTaskGroup(of: Bool.self) { group in
                    for i in next + 1...next + crowd { group.addTask { await fixture.log.record(AuditFixture.request(i)) } }
                    for await committed in group { #expect(committed) }
                }
                next += crowd
                let afterCrowd = try fixture.store.count().records
                #expect(afterCrowd == next)
            }
            #expect(fixture.log.size == Int64(next))
            #expect(try fixture.verify().ok)
        }
    }

    @Test func batchedDurabilityReturnsAtOnceAndCommitsSoon() async throws {
        try await AuditFixture.with(durability: .batched) { fixture in
            for i in 1...200 { #expect(await fixture.log.record(AuditFixture.request(i))) }
            for _ in 0..<100 where try fixture.store.count().records < 200 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try fixture.store.count().records == 200)
            #expect(try fixture.verify().ok)
        }
    }

    @Test func stoppingTheWriterCommitsEverythingAcceptedAndSignsTheEnd() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tappass-audit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try AuditStore(path: directory + "/audit.sqlite", synchronousFull: false)
        let key = try ApplianceKey.loadOrCreate(stateDirectory: directory)
        let settings = AuditSettings(durability: .batched, checkpointEvery: 1_000_000, checkpointInterval: .seconds(3600))
        let log = try AuditLog(
            store: store,
            signer: AuditSigner(privateKey: key.privateKey),
            settings: settings,
            logger: Logger(label: "audit-test")
        )
        let writer = Task { try await log.run() }
        for i in 1...2_000 { log.recordLater(AuditFixture.request(i)) }
        writer.cancel()
        try await writer.value
        #expect(try store.count().records == 2_000, "nothing accepted is left behind")
        #expect(try store.checkpoints().last?.size == 2_000, "the end of the log is signed on the way out")
        #expect(try AuditVerifier(store: store, publicKey: key.publicKey, exported: nil).verify().ok)
    }

    @Test func pruningKeepsTheRestVerifiableAndProvable() async throws {
        try await AuditFixture.with(checkpointEvery: 10) { fixture in
            await fixture.fill(1...25)
            let cut = Date(timeIntervalSince1970: 1_790_000_000 + 13)
            let result = try await fixture.log.prune(before: cut)
            #expect(result.prunedThrough == 12 && result.removed == 12)
            await fixture.fill(26...30)
            _ = try await fixture.log.checkpointNow()
            let report = try fixture.verify()
            #expect(report.ok && report.firstSeq == 13 && report.prunedThrough == 12 && report.records == 18)
            let proof = try InclusionProof.make(store: fixture.store, seq: 20)
            #expect(proof.verify(publicKey: fixture.key.publicKey))
            #expect(throws: AuditError.self) { try InclusionProof.make(store: fixture.store, seq: 5) }
            // Pruning twice goes on from the first cut.
            let again = try await fixture.log.prune(before: Date(timeIntervalSince1970: 1_790_000_000 + 20))
            #expect(again.prunedThrough == 19)
            #expect(try fixture.verify().ok)
        }
    }

    @Test func aProofDoesNotVerifyForAnotherKeyOrALaterEditedRecord() async throws {
        try await AuditFixture.with(checkpointEvery: 8) { fixture in
            await fixture.fill(1...20)
            let proof = try InclusionProof.make(store: fixture.store, seq: 5)
            #expect(proof.treeSize == 8 && proof.verify(publicKey: fixture.key.publicKey))
            #expect(!proof.verify(publicKey: ApplianceKey(privateKey: .init()).publicKey))
            var forged = proof
            forged.leafHash = AuditFixture.request(99).computedLeafHash.hex
            #expect(!forged.verify(publicKey: fixture.key.publicKey))
        }
    }

    /// Write failures (here: the database may not grow) fail callers, keep the records, and
    /// heal by themselves once writing works again.
    @Test func aStoreThatCannotBeWrittenFailsClosedAndRecovers() async throws {
        try await AuditFixture.with { fixture in
            await fixture.fill(1...3)
            let pages = try await fixture.store.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count")! }
            try await fixture.store.write { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
            var refused = false
            for i in 4...400 where !refused {
                let accepted = await fixture.log.record(AuditFixture.request(i))
                refused = !accepted
            }
            #expect(refused)
            #expect(!fixture.log.isWritable)
            try await fixture.store.write { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
            for _ in 0..<100 where !fixture.log.isWritable { try await Task.sleep(for: .milliseconds(20)) }
            #expect(fixture.log.isWritable)
            #expect(await fixture.log.record(AuditFixture.request(1000)))
            let report = try fixture.verify()
            #expect(report.ok)
            // Nothing was lost: the refused records were kept and written on recovery.
            let names = try fixture.store.read { try String.fetchAll($0, sql: "SELECT name FROM entry") }
            #expect(names.contains("req_1000") && Set(names).count == names.count)
        }
    }

    /// A log made by the first schema opens with today's code and goes on verifying.
    @Test func migratesFromTheFirstSchema() async throws {
        try await AuditFixture.with(prepare: { directory in
            let queue = try DatabaseQueue(path: directory + "/audit.sqlite")
            try AuditStore.migrator.migrate(queue, upTo: "v1-audit-log")
            let key = try ApplianceKey.loadOrCreate(stateDirectory: directory)
            try queue.write { db in
                var chain = AuditEntry.genesis
                var frontier = MerkleFrontier()
                for i in 1...5 {
                    var entry = AuditFixture.request(i)
                    entry.seq = Int64(i)
                    entry.leafHash = entry.computedLeafHash
                    entry.chainHash = AuditEntry.chain(previous: chain, leaf: entry.leafHash)
                    chain = entry.chainHash
                    frontier.append(entry.leafHash)
                    // As the first release wrote it: its columns only.
                    try db.execute(
                        sql: """
                            INSERT INTO entry (seq, time_ms, kind, name, key_id, user, team, endpoint, model, status, latency_us,
                            tokens_in, tokens_out, outcome, leaf_hash, chain_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                            """,
                        arguments: [
                            entry.seq, entry.timeMillis, entry.kind.rawValue, entry.name, entry.keyID, entry.user, entry.team,
                            entry.endpoint, entry.model, entry.status, entry.latencyMicros, entry.tokensIn, entry.tokensOut,
                            entry.outcome, entry.leafHash, entry.chainHash,
                        ]
                    )
                }
                try AuditCheckpoint(
                    frontier: frontier,
                    chain: chain,
                    time: Date(),
                    kind: "periodic",
                    signer: AuditSigner(privateKey: key.privateKey)
                ).insert(db)
            }
        }) { fixture in
            let applied = try fixture.store.read { try AuditStore.migrator.appliedIdentifiers($0) }
            #expect(applied.contains("v2-query-indexes") && applied.contains("v3-policy-version"))
            await fixture.fill(6...9)
            var judged = AuditFixture.request(10)
            judged.policy = "sha256:0123456789abcdef"
            await fixture.log.record(judged)
            let report = try fixture.verify()
            #expect(report.ok && report.records == 10)
            var policies: [String?] = []
            try AuditQuery().each(in: fixture.store) { policies.append($0.policy) }
            #expect(policies == Array(repeating: nil, count: 9) + ["sha256:0123456789abcdef"])
        }
    }

    /// A log copied off a box that ran an older tappass is read (not migrated) by `audit verify`
    /// and `audit export`: the columns it does not have read as empty.
    @Test func aLogFromBeforeThePolicyColumnReadsAndVerifiesReadOnly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tappass-audit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var publicKey = Data()
        try await AuditFixture.with { fixture in
            await fixture.fill(1...5)
            try await fixture.store.write { db in
                try db.execute(sql: "ALTER TABLE entry DROP COLUMN policy")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3-policy-version'")
            }
            try FileManager.default.copyItem(atPath: fixture.directory, toPath: directory)
            publicKey = fixture.key.publicKey
        }
        let store = try AuditStore(readOnlyPath: directory + "/audit.sqlite")
        #expect(try store.read { try $0.columns(in: "entry").contains { $0.name == "policy" } } == false)
        let report = try AuditVerifier(store: store, publicKey: publicKey, exported: nil).verify()
        #expect(report.ok && report.records == 5)
        var lines: [String] = []
        try AuditQuery().each(in: store) { lines.append(AuditExportFormat.jsonl.line($0)) }
        #expect(lines.count == 5 && !lines[0].contains("\"policy\""))
    }

    @Test func queriesFilterAndExportsQuoteProperly() async throws {
        try await AuditFixture.with { fixture in
            await fixture.fill(1...4)
            await fixture.log.record(AuditFixture.request(5, user: "bob, \"the\" builder"))
            var query = AuditQuery()
            query.user = "alice"
            var seen: [String] = []
            try query.each(in: fixture.store) { seen.append($0.name) }
            #expect(seen == ["req_1", "req_2", "req_3", "req_4"])
            query = AuditQuery()
            query.user = "bob, \"the\" builder"
            var lines: [String] = []
            try query.each(in: fixture.store) { lines.append(AuditExportFormat.csv.line($0)) }
            #expect(lines.count == 1 && lines[0].contains(#""bob, ""the"" builder""#))
            var json: [String] = []
            try query.each(in: fixture.store) { json.append(AuditExportFormat.jsonl.line($0)) }
            let object = try JSONSerialization.jsonObject(with: Data(json[0].utf8)) as? [String: Any]
            #expect(object?["user"] as? String == "bob, \"the\" builder")
            #expect(object?["latency_ms"] as? Double == 1.005)
        }
    }
}

@Suite struct AuditEncodingTests {
    /// `audit verify` hashes rows straight from SQLite; it must see the same bytes as the writer.
    @Test func rowsEncodeExactlyAsEntriesDo() async throws {
        try await AuditFixture.with { fixture in
            var odd = AuditFixture.request(1)
            odd.user = ""
            odd.detail = "{\"é\":\"naïve — 🚀\"}"
            odd.status = nil
            odd.tokensIn = -5
            odd.client = nil
            await fixture.log.record(odd)
            await fixture.log.record(AuditEntry.event("key.created", detail: ["key_id": "abc"]))
            let hashes = try fixture.store.read { try Data.fetchAll($0, sql: "SELECT leaf_hash FROM entry ORDER BY seq") }
            #expect(hashes.first == odd.computedLeafHash)
            // verify recomputes every leaf from the row and compares it with what the writer stored.
            let report = try fixture.verify()
            #expect(report.ok && report.records == 2)
        }
    }
}

@Suite struct ClockRollbackTests {
    /// A log whose latest record is an hour ahead of the clock: the clock was set back.
    @Test func aClockSetBackIsRecordedAsAnEvent() async throws {
        try await AuditFixture.with { fixture in
            var future = AuditFixture.request(1)
            future.timeMillis = Int64((Date().timeIntervalSince1970 + 3600) * 1000)
            await fixture.log.record(future)
            await fixture.log.record(AuditFixture.request(2))
            let names = try fixture.store.read { try String.fetchAll($0, sql: "SELECT name FROM entry ORDER BY seq") }
            #expect(names == ["req_1", "clock.rollback", "req_2"])
            let detail = try fixture.store.read { try String.fetchOne($0, sql: "SELECT detail FROM entry WHERE seq = 2") }
            #expect(detail?.contains("latest_seen") == true)
            // Once seen, it is not repeated for every later record.
            await fixture.log.record(AuditFixture.request(3))
            #expect(try fixture.store.count().records == 4)
            #expect(try fixture.verify().ok)
        }
    }
}
