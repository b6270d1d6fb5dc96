import Dispatch
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
    let signer: AuditSigner
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
        /// When the oldest record still waiting was queued (nil while none waits).
        var pendingSince: ContinuousClock.Instant?
        var jobs: [Job] = []
        var failing = false
        var stopping = false
        var lost = 0
        /// The writer thread is waiting for work: the next record or job wakes it.
        var writerAsleep = false
    }

    /// What only the writer touches: where appending goes on.
    struct Head {
        var frontier: MerkleFrontier
        var chain: Data
        var lastCheckpointSize: Int64
        var lastCheckpointTime: ContinuousClock.Instant
        /// The latest wall-clock time the log has seen (records, checkpoints, commits), in ms.
        var latestWallTime: Int64
        /// The highest time ever seen here (ms since 1970): unlike `latestWallTime`, a clock set
        /// back never lowers it.
        var highestWallTime: Int64
    }

    package struct PruneResult: Sendable, Codable {
        package var removed: Int64
        package var prunedThrough: Int64
    }

    private let state = Mutex(State())
    let head: Mutex<Head>
    /// Wakes the writer thread (see ``State/writerAsleep``).
    private let wake = DispatchSemaphore(value: 0)

    package init(store: AuditStore, signer: AuditSigner, settings: AuditSettings, logger: Logger) throws {
        self.store = store
        self.signer = signer
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
                latestWallTime: try store.latestTime() ?? 0,
                highestWallTime: try store.latestTime() ?? 0
            )
        )
    }

    /// False while the store cannot be written: governed requests are then refused.
    package var isWritable: Bool { state.withLock { !$0.failing } }

    /// Whether a record has waited longer than `limit` for the writer: the writer thread has
    /// stopped making progress (a liveness check for the service watchdog). A failing store is
    /// not stalled: it refuses records, and says so in ``isWritable``.
    package func isStalled(after limit: Duration) -> Bool {
        state.withLock { state in
            guard !state.failing, let since = state.pendingSince else { return false }
            return ContinuousClock.now - since > limit
        }
    }

    package var publicKey: Data { signer.publicKey }

    /// The latest time any record or checkpoint carries: a clock set back does not move it.
    package var latestTime: Date {
        Date(timeIntervalSince1970: Double(head.withLock { $0.highestWallTime }) / 1000)
    }

    /// Committed events with one of `names`, oldest first (read beside the writer).
    package func events(named names: [String]) throws -> [(time: Date, name: String, detail: String?)] {
        try store.events(named: names)
    }

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
        let (accepted, lost, ring) = state.withLock { state -> (Bool, Bool, Bool) in
            guard state.failing else {
                if state.pending.isEmpty { state.pendingSince = .now }
                state.pending.append(pending)
                return (true, false, Self.takeWake(&state))
            }
            pending.waiter = nil
            guard state.pending.count < settings.maxPending else {
                state.lost += 1
                return (false, true, false)
            }
            state.pending.append(pending)
            return (false, false, false)
        }
        if lost { logger.critical("audit record lost: the store has been unwritable too long", metadata: ["audit.lost": "1"]) }
        if ring { wake.signal() }
        return accepted
    }

    /// Whether the caller must wake the writer (it was asleep; only the first caller does).
    private static func takeWake(_ state: inout State) -> Bool {
        defer { state.writerAsleep = false }
        return state.writerAsleep
    }

    private func submit(_ job: Job) {
        if state.withLock({ state in
            state.jobs.append(job)
            return Self.takeWake(&state)
        }) {
            wake.signal()
        }
    }

    /// Makes and stores a signed checkpoint of the log as it is now.
    package func checkpointNow() async throws(AuditError) -> AuditCheckpoint {
        let result = await withCheckedContinuation { submit(.checkpoint($0)) }
        return try result.get()
    }

    /// Removes the records older than `before`, leaving a signed prune checkpoint in their place.
    package func prune(before: Date) async throws(AuditError) -> PruneResult {
        let result = await withCheckedContinuation { submit(.prune(before: before, $0)) }
        return try result.get()
    }

    /// Runs the writer on a thread of its own until graceful shutdown: commits are then never
    /// queued behind request work on the event loops, and a strict caller is resumed the moment
    /// its group is committed.
    package func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { [store, logger] in
                        // SQLite WAL checkpoints, beside the writer rather than inside a commit.
                        var failing = false
                        while !Task.isCancelled {
                            try? await Task.sleep(for: .seconds(1))
                            // Stopping: the writer's last commit checkpoints on close.
                            guard !Task.isCancelled else { break }
                            do {
                                try await store.checkpointWAL()
                                failing = false
                            } catch is CancellationError {
                                break
                            } catch {
                                if !failing { logger.warning("audit WAL checkpoint failed", metadata: ["error": "\(error)"]) }
                                failing = true
                            }
                        }
                    }
                    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                        let thread = Thread {
                            // Named from inside: Foundation on Linux names only the running thread,
                            // and keeps at most 15 bytes of it.
                            Thread.current.name = "tappass-audit"
                            self.writerLoop()
                            done.resume()
                        }
                        thread.start()
                    }
                    group.cancelAll()
                }
            } onCancel: {
                self.stopWriter()
            }
        } onGracefulShutdown: {
            self.stopWriter()
        }
        let (left, lost) = state.withLock { ($0.pending.count, $0.lost) }
        if left + lost > 0 {
            logger.critical(
                "audit log stopped with records not written",
                metadata: ["audit.unwritten": "\(left)", "audit.lost": "\(lost)"]
            )
        } else if let checkpoint = try? writeCheckpoint(kind: "periodic", force: false, ignoreInterval: true) {
            logger.info("audit checkpoint", metadata: ["audit.size": "\(checkpoint.size)"])
        }
    }

    /// The writer thread: drains, then sleeps until a record, a job, the checkpoint interval or
    /// shutdown wakes it. While the store fails, only the retry interval (or shutdown) ends the
    /// wait, so a flood of refused requests does not turn into a flood of retries.
    private func writerLoop() {
        enum Next { case stop, again, retryLater, sleep }
        var lastBound = ContinuousClock.now
        while true {
            let written = drain()
            // At most twice a second: a stat of the WAL, and a checkpoint when it grew too large.
            if written, ContinuousClock.now - lastBound > .milliseconds(500) {
                lastBound = .now
                do { try store.boundWAL() } catch { logger.warning("audit WAL could not be truncated", metadata: ["error": "\(error)"]) }
            }
            let next = state.withLock { state -> Next in
                if state.stopping && (state.pending.isEmpty || state.failing) { return .stop }
                if !written || state.failing { return .retryLater }
                if !state.pending.isEmpty || !state.jobs.isEmpty { return .again }
                state.writerAsleep = true
                return .sleep
            }
            switch next {
            case .stop: return
            case .again: continue
            case .retryLater: _ = wake.wait(timeout: .now() + settings.retryInterval.dispatchInterval)
            case .sleep: _ = wake.wait(timeout: .now() + settings.checkpointInterval.dispatchInterval)
            }
            state.withLock { $0.writerAsleep = false }
        }
    }

    private func stopWriter() {
        state.withLock { $0.stopping = true }
        wake.signal()
    }

    /// Writes everything waiting (at most 8,192 records per transaction), then runs the jobs.
    /// False when a write failed (the records are back in the queue, the log is failing).
    private func drain() -> Bool {
        let (waiting, jobs) = state.withLock { state -> ([Pending], [Job]) in
            defer {
                state.pending = []
                state.pendingSince = nil
                state.jobs = []
            }
            return (state.pending, state.jobs)
        }
        if waiting.isEmpty && jobs.isEmpty {
            _ = try? writeCheckpoint(kind: "periodic", force: false)
            return true
        }
        var start = 0
        while start < waiting.count {
            let batch = waiting[start..<min(waiting.count, start + 8192)]
            do {
                try append(batch.map(\.entry))
            } catch {
                failed(error, unwritten: waiting[start...], jobs: jobs)
                return false
            }
            // Writable again before any caller hears of the commit.
            let recovered = state.withLock { state in
                defer { state.failing = false }
                return state.failing
            }
            if recovered { logger.notice("audit log writable again; governed requests are served") }
            for pending in batch { pending.waiter?.resume(returning: true) }
            start += batch.count
        }
        for job in jobs { run(job) }
        return true
    }

    /// A write failed: the records go back to the front of the queue, their waiters learn so.
    private func failed(_ error: any Error, unwritten: ArraySlice<Pending>, jobs: [Job]) {
        let first = state.withLock { state -> Bool in
            state.pending = unwritten.map { Pending(entry: $0.entry, waiter: nil) } + state.pending
            defer { state.failing = true }
            return !state.failing
        }
        // After the log is marked failing: a refused caller then sees `isWritable` false.
        for pending in unwritten { pending.waiter?.resume(returning: false) }
        if first {
            logger.critical(
                "audit log cannot be written; governed requests are refused until it can",
                metadata: ["audit.path": "\(store.path)", "error": "\(error)"]
            )
        }
        for job in jobs { fail(job, AuditError("the audit log cannot be written: \(error)")) }
    }

    private func run(_ job: Job) {
        switch job {
        case .checkpoint(let continuation):
            do {
                let checkpoint = try writeCheckpoint(kind: "export", force: true)!
                continuation.resume(returning: .success(checkpoint))
            } catch {
                continuation.resume(returning: .failure(AuditError("cannot write a checkpoint: \(error)")))
            }
        case .prune(let before, let continuation):
            do {
                continuation.resume(returning: .success(try prunePrefix(before: before)))
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
}

extension Duration {
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(min(seconds, 1 << 32)) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
