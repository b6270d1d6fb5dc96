import Synchronization

/// Requests waiting for a slot on a pool whose usable hosts are all at `max_concurrent`, oldest
/// first, bounded in depth and in how long each waits.
///
/// Every finished lease calls ``slotFreed()``: it bumps a generation and wakes the oldest waiter,
/// which then tries to claim a slot (and goes back to the front if another request took it
/// first). A request reads the generation before it tries to claim and enqueues only if no slot
/// was freed since, so a release between its failed try and its enqueueing is never missed.
package final class AdmissionQueue: Sendable {
    enum Wake: Sendable {
        /// Woken from the queue: a slot was freed; try again, ahead of those still waiting.
        case retry
        /// Not queued: a slot was freed since the caller looked; look again.
        case changed
        /// The queue is at its depth: refuse now.
        case full
        /// The wait ran out, or the caller was cancelled.
        case expired
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Wake, Never>
    }

    private struct State {
        var waiters: [Waiter] = []
        var generation: UInt64 = 0
        var nextID: UInt64 = 0
        /// Ids inside ``wait(after:front:until:)``; of those, the ones whose timer or
        /// cancellation came before they were queued.
        var active: Set<UInt64> = []
        var expiredEarly: Set<UInt64> = []
        var stats = Stats()
    }

    /// What `/metrics` shows of the queue.
    package struct Stats: Sendable, Equatable {
        package var depth = 0
        /// Requests that waited, and their total wait (ended by a slot, a refusal or a timeout).
        package var queued: UInt64 = 0
        package var waitSeconds: Double = 0
        package var refusedFull: UInt64 = 0
        package var timedOut: UInt64 = 0

        package init() {}
    }

    let depth: Int
    private let state = Mutex(State())

    init(depth: Int) {
        self.depth = depth
    }

    var generation: UInt64 { state.withLock { $0.generation } }
    var isEmpty: Bool { state.withLock { $0.waiters.isEmpty } }
    var stats: Stats {
        state.withLock { state in
            state.stats.depth = state.waiters.count
            return state.stats
        }
    }

    /// A lease ended: wake the oldest waiter, if any.
    func slotFreed() {
        let woken: Waiter? = state.withLock { state in
            state.generation &+= 1
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        woken?.continuation.resume(returning: .retry)
    }

    /// Wakes the oldest waiter without counting a release: a woken request that cannot use the
    /// freed slot (it is on a host that request already tried) hands it on.
    func passOn() {
        let woken: Waiter? = state.withLock { state in state.waiters.isEmpty ? nil : state.waiters.removeFirst() }
        woken?.continuation.resume(returning: .retry)
    }

    /// Waits for a freed slot until `deadline`, unless one was freed after `generation` was read.
    /// `front`: a request that was woken and lost the slot keeps its place at the head.
    func wait(after generation: UInt64, front: Bool, until deadline: ContinuousClock.Instant) async -> Wake {
        let id = state.withLock { state in
            state.nextID &+= 1
            state.active.insert(state.nextID)
            return state.nextID
        }
        let timer = Task { [self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            expire(id)
        }
        defer {
            timer.cancel()
            state.withLock { state in
                state.active.remove(id)
                state.expiredEarly.remove(id)
            }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: Wake? = state.withLock { state in
                    if state.expiredEarly.remove(id) != nil { return .expired }
                    if state.generation != generation { return .changed }
                    if !front, state.waiters.count >= depth {
                        state.stats.refusedFull += 1
                        return .full
                    }
                    let waiter = Waiter(id: id, continuation: continuation)
                    if front { state.waiters.insert(waiter, at: 0) } else { state.waiters.append(waiter) }
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            expire(id)
        }
    }

    /// Notes how one request's stay in the queue ended.
    func record(waited: Duration, timedOut: Bool) {
        state.withLock { state in
            state.stats.queued += 1
            state.stats.waitSeconds += Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
            if timedOut { state.stats.timedOut += 1 }
        }
    }

    private func expire(_ id: UInt64) {
        let expired: Waiter? = state.withLock { state in
            if let index = state.waiters.firstIndex(where: { $0.id == id }) { return state.waiters.remove(at: index) }
            if state.active.contains(id) { state.expiredEarly.insert(id) }
            return nil
        }
        expired?.continuation.resume(returning: .expired)
    }
}
