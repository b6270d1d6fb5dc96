package import Foundation
import GRDB
package import Logging
import ServiceLifecycle
import Synchronization

/// The audit log's single writer: records arrive from request handlers and are committed in
/// groups (everything waiting goes into one transaction), chained, and checkpointed. With
/// `strict` durability a caller waits for its record's commit; with `batched` it does not.
/// When the store cannot be written the log says so (``isWritable``), keeps what it holds and
/// retries until it can write again.
package final class AuditLog: Service, Sendable {
    package let store: AuditStore
    package let settings: AuditSettings
    let key: ApplianceKey
    let logger: Logger

    private struct Pending {
        var entry: AuditEntry
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private enum Job {
        case checkpoint(CheckedContinuation<Result<AuditCheckpoint, AuditError>, Never>)
        case prune(before: Date, CheckedContinuation<Result<PruneResult, AuditError>, Never>)
    }

    private struct State {
        var pending: [Pending] = []
        var jobs: [Job] = []
        var failing = false
        var stopping = false
        var lost = 0
    }

    /// What only the writer task touches: where appending goes on.
    private struct Head {
        var frontier: MerkleFrontier
        var chain: Data
        var lastCheckpointSize: Int64
        var lastCheckpointTime: ContinuousClock.Instant
        /// The latest wall-clock time the log has seen (records, checkpoints, commits), in ms.
        var latestWallTime: Int64
    }

    package struct PruneResult: Sendable, Codable {
        package var removed: Int64
        package var prunedThrough: Int64
    }

    private let state = Mutex(State())
    private let head: Mutex<Head>
    private let rings: AsyncStream<Void>
    private let doorbell: AsyncStream<Void>.Continuation

    package init(store: AuditStore, key: ApplianceKey, settings: AuditSettings, logger: Logger) throws {
        self.store = store
        self.key = key
        self.settings = settings
        self.logger = logger
        let (frontier, chain) = try store.head()
        let lastCheckpoint = try store.checkpoints().last?.size ?? 0
        head = Mutex(
            Head(
                frontier: frontier,
                chain: chain,
                lastCheckpointSize: lastCheckpoint,
                lastCheckpointTime: .now,
                latestWallTime: try store.latestTime() ?? 0
            )
        )
        (rings, doorbell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// False while the store cannot be written: governed requests are then refused.
    package var isWritable: Bool { state.withLock { !$0.failing } }

    package var publicKey: Data { key.publicKey }

    /// The number of records in the log so far (including pruned ones).
    package var size: Int64 { head.withLock { $0.frontier.size } }

    /// Records waiting beyond which `batched` callers wait for the commit too (back-pressure:
    /// memory stays bounded however fast requests come).
    static let highWater = 16_384

    /// Hands a record to the writer. Returns true once it is committed (`strict`) or accepted
    /// (`batched`), false when the store cannot be written right now.
    @discardableResult
    package func record(_ entry: AuditEntry) async -> Bool {
        let wait = settings.durability == .strict || state.withLock { $0.pending.count >= Self.highWater }
        guard wait else { return enqueue(Pending(entry: entry, waiter: nil)) }
        return await withCheckedContinuation { waiter in
            if !enqueue(Pending(entry: entry, waiter: waiter)) { waiter.resume(returning: false) }
        }
    }

    /// Hands a record to the writer without waiting for its commit.
    package func recordLater(_ entry: AuditEntry) {
        _ = enqueue(Pending(entry: entry, waiter: nil))
    }

    /// Queues a record; false when the store is failing (the record is still kept for when it
    /// recovers, up to `maxPending`; beyond that it is lost, counted and logged).
    private func enqueue(_ pending: Pending) -> Bool {
        var pending = pending
        let (accepted, lost) = state.withLock { state -> (Bool, Bool) in
            guard state.failing else {
                state.pending.append(pending)
                return (true, false)
            }
            pending.waiter = nil
            guard state.pending.count < settings.maxPending else {
                state.lost += 1
                return (false, true)
            }
            state.pending.append(pending)
            return (false, false)
        }
        if lost { logger.critical("audit record lost: the store has been unwritable too long", metadata: ["audit.lost": "1"]) }
        doorbell.yield()
        return accepted
    }

    /// Makes and stores a signed checkpoint of the log as it is now.
    package func checkpointNow() async throws(AuditError) -> AuditCheckpoint {
        let result = await withCheckedContinuation { continuation in
            state.withLock { $0.jobs.append(.checkpoint(continuation)) }
            doorbell.yield()
        }
        return try result.get()
    }

    /// Removes the records older than `before`, leaving a signed prune checkpoint in their place.
    package func prune(before: Date) async throws(AuditError) -> PruneResult {
        let result = await withCheckedContinuation { continuation in
            state.withLock { $0.jobs.append(.prune(before: before, continuation)) }
            doorbell.yield()
        }
        return try result.get()
    }

    package func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [doorbell, settings] in
                    // Time-based checkpoints: ring the writer when the interval has passed.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: settings.checkpointInterval)
                        doorbell.yield()
                    }
                }
                group.addTask { [store, logger] in
                    // SQLite WAL checkpoints, beside the writer rather than inside a commit.
                    var failing = false
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        do {
                            try await store.checkpointWAL()
                            failing = false
                        } catch {
                            if !failing { logger.warning("audit WAL checkpoint failed", metadata: ["error": "\(error)"]) }
                            failing = true
                        }
                    }
                }
                for await _ in rings {
                    await drain()
                    if state.withLock({ $0.stopping && ($0.pending.isEmpty || $0.failing) }) { break }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.stopping = true }
            self.doorbell.yield()
        }
        let (left, lost) = state.withLock { ($0.pending.count, $0.lost) }
        if left + lost > 0 {
            logger.critical(
                "audit log stopped with records not written",
                metadata: ["audit.unwritten": "\(left)", "audit.lost": "\(lost)"]
            )
        } else if let checkpoint = try? await writeCheckpoint(kind: "periodic", force: false, ignoreInterval: true) {
            logger.info("audit checkpoint", metadata: ["audit.size": "\(checkpoint.size)"])
        }
    }

    /// Writes everything waiting (at most 8,192 records per transaction), then runs the jobs.
    private func drain() async {
        while true {
            let (waiting, jobs) = state.withLock { state -> ([Pending], [Job]) in
                defer {
                    state.pending = []
                    state.jobs = []
                }
                return (state.pending, state.jobs)
            }
            if waiting.isEmpty && jobs.isEmpty {
                _ = try? await writeCheckpoint(kind: "periodic", force: false)
                return
            }
            var start = 0
            while start < waiting.count {
                let batch = waiting[start..<min(waiting.count, start + 8192)]
                do {
                    try await append(batch.map(\.entry))
                } catch {
                    failed(error, unwritten: waiting[start...], jobs: jobs)
                    if state.withLock({ $0.stopping }) { return }
                    try? await Task.sleep(for: settings.retryInterval)
                    doorbell.yield()
                    return
                }
                for pending in batch { pending.waiter?.resume(returning: true) }
                start += batch.count
            }
            let recovered = state.withLock { state in
                defer { state.failing = false }
                return state.failing
            }
            if recovered { logger.notice("audit log writable again; governed requests are served") }
            for job in jobs { await run(job) }
        }
    }

    /// A write failed: its waiters learn so, the records go back to the front of the queue.
    private func failed(_ error: any Error, unwritten: ArraySlice<Pending>, jobs: [Job]) {
        for pending in unwritten { pending.waiter?.resume(returning: false) }
        let first = state.withLock { state -> Bool in
            state.pending = unwritten.map { Pending(entry: $0.entry, waiter: nil) } + state.pending
            defer { state.failing = true }
            return !state.failing
        }
        if first {
            logger.critical(
                "audit log cannot be written; governed requests are refused until it can",
                metadata: ["audit.path": "\(store.path)", "error": "\(error)"]
            )
        }
        for job in jobs { fail(job, AuditError("the audit log cannot be written: \(error)")) }
    }

    /// How far the wall clock may step back before the log records a `clock.rollback` event
    /// (NTP corrections are far smaller).
    static let rollbackTolerance: Int64 = 5_000

    /// Chains and inserts a batch in one transaction; the in-memory head moves only on commit.
    private func append(_ batch: [AuditEntry]) async throws {
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
        let key = self.key
        let (frontier, chain, checkpoint) = try await store.write { db -> (MerkleFrontier, Data, AuditCheckpoint?) in
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
                checkpoint = try AuditCheckpoint(frontier: frontier, chain: chain, time: Date(), kind: "periodic", key: key)
                try checkpoint!.insert(db)
            }
            return (frontier, chain, checkpoint)
        }
        head.withLock { head in
            head.frontier = frontier
            head.chain = chain
            head.latestWallTime = max(now, entries.map(\.timeMillis).max() ?? now)
            if let checkpoint {
                head.lastCheckpointSize = checkpoint.size
                head.lastCheckpointTime = .now
            }
        }
    }

    /// A checkpoint made by the CLI itself, when no service (and so no writer task) runs.
    package func checkpointWithoutService() async throws -> AuditCheckpoint {
        try await writeCheckpoint(kind: "export", force: true)!
    }

    /// A prune done by the CLI itself, when no service (and so no writer task) runs.
    package func pruneWithoutService(before: Date) async throws -> PruneResult {
        let result = try await prunePrefix(before: before)
        try await append([.event("audit.pruned", detail: ["before": "\(before)", "pruned_through": "\(result.prunedThrough)"])])
        return result
    }

    /// A checkpoint of the current head; unless forced, only when records came since the last
    /// one and the interval has passed.
    private func writeCheckpoint(kind: String, force: Bool, ignoreInterval: Bool = false) async throws -> AuditCheckpoint? {
        let current = head.withLock { $0 }
        if !force {
            guard current.frontier.size > current.lastCheckpointSize,
                ignoreInterval || ContinuousClock.now - current.lastCheckpointTime >= settings.checkpointInterval
            else { return nil }
        }
        let checkpoint = try AuditCheckpoint(frontier: current.frontier, chain: current.chain, time: Date(), kind: kind, key: key)
        try await store.write { db in try checkpoint.insert(db) }
        head.withLock {
            $0.lastCheckpointSize = checkpoint.size
            $0.lastCheckpointTime = .now
        }
        return checkpoint
    }

    private func run(_ job: Job) async {
        switch job {
        case .checkpoint(let continuation):
            do {
                let checkpoint = try await writeCheckpoint(kind: "export", force: true)!
                continuation.resume(returning: .success(checkpoint))
            } catch {
                continuation.resume(returning: .failure(AuditError("cannot write a checkpoint: \(error)")))
            }
        case .prune(let before, let continuation):
            do {
                continuation.resume(returning: .success(try await prunePrefix(before: before)))
            } catch {
                continuation.resume(returning: .failure(error as? AuditError ?? AuditError("cannot prune: \(error)")))
            }
        }
    }

    private func fail(_ job: Job, _ error: AuditError) {
        switch job {
        case .checkpoint(let continuation): continuation.resume(returning: .failure(error))
        case .prune(_, let continuation): continuation.resume(returning: .failure(error))
        }
    }

    /// Deletes the oldest records (a prefix of the log, all older than `before`) and stores the
    /// signed frontier at the cut, so the rest still verifies and proves.
    private func prunePrefix(before: Date) async throws -> PruneResult {
        let cutoff = Int64((before.timeIntervalSince1970 * 1000).rounded())
        let key = self.key
        let result = try await store.write { db -> PruneResult in
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
            let checkpoint = try AuditCheckpoint(frontier: frontier, chain: chain, time: Date(), kind: "prune", key: key)
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

extension AuditLog {
    /// Opens the configured audit database for writing, with the appliance key (made the first time).
    package convenience init(configuration: GatewayConfiguration, logger: Logger) throws {
        let settings = configuration.audit
        let store = try AuditStore(
            path: settings.databasePath(stateDirectory: configuration.stateDirectory),
            synchronousFull: settings.fsync
        )
        let key = try ApplianceKey.loadOrCreate(stateDirectory: configuration.stateDirectory)
        try self.init(store: store, key: key, settings: settings, logger: logger)
    }
}
