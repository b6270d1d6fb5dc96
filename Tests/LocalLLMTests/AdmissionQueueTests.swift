import Synchronization
import Testing

@testable import LocalLLM

/// Requests beyond every host's `max_concurrent` wait their turn, bounded in depth and time,
/// instead of being refused at once.
@Suite struct AdmissionQueueTests {
    func pool(hosts: Int = 1, maxConcurrent: Int = 1, depth: Int = 8, wait: Duration = .seconds(5)) -> UpstreamPool {
        UpstreamPool(
            configuration: .init(
                name: "gpu",
                kind: .vllm,
                hosts: (0..<hosts).map { UpstreamHostConfiguration(baseURL: "http://10.0.0.\($0):8000/v1", maxConcurrent: maxConcurrent) },
                queue: .init(depth: depth, wait: wait)
            )
        )
    }

    static func lease(_ admission: UpstreamPool.Admission) -> UpstreamPool.Lease? {
        if case .lease(let lease) = admission { return lease }
        return nil
    }

    /// Waits until `count` requests are queued (the tasks run concurrently with the test).
    static func waitForDepth(_ pool: UpstreamPool, _ count: Int) async {
        for _ in 0..<2000 where pool.queueStats.depth != count { try? await Task.sleep(for: .milliseconds(1)) }
        #expect(pool.queueStats.depth == count)
    }

    @Test func waitersAreServedInArrivalOrderAsSlotsFree() async throws {
        let pool = pool(maxConcurrent: 1)
        let first = try #require(Self.lease(await pool.admit(affinityKey: nil)))
        let order = Arrivals()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 1...3 {
                group.addTask {
                    let next = try #require(Self.lease(await pool.admit(affinityKey: nil)))
                    order.note(number)
                    try await Task.sleep(for: .milliseconds(5))
                    next.finish(.success)
                }
                await Self.waitForDepth(pool, number)
            }
            first.finish(.success)
            try await group.waitForAll()
        }
        #expect(order.numbers == [1, 2, 3])
        let stats = pool.queueStats
        #expect(stats.depth == 0 && stats.queued == 3 && stats.refusedFull == 0 && stats.timedOut == 0 && stats.waitSeconds > 0)
        #expect(pool.hosts[0].snapshot(at: .now).outstanding == 0)
    }

    @Test func aFullQueueRefusesAtOnceAndAWaitRunsOut() async throws {
        let pool = pool(maxConcurrent: 1, depth: 1, wait: .milliseconds(200))
        let busy = try #require(Self.lease(await pool.admit(affinityKey: nil)))
        let waiting = Task { await pool.admit(affinityKey: nil) }
        await Self.waitForDepth(pool, 1)
        let start = ContinuousClock.now
        guard case .queueFull = await pool.admit(affinityKey: nil) else {
            Issue.record("expected queueFull")
            return
        }
        #expect(ContinuousClock.now - start < .milliseconds(100), "refused without waiting")
        guard case .timedOut = await waiting.value else {
            Issue.record("expected timedOut")
            return
        }
        #expect(ContinuousClock.now - start >= .milliseconds(150))
        let stats = pool.queueStats
        #expect(stats.refusedFull == 1 && stats.timedOut == 1 && stats.depth == 0)
        busy.finish(.success)
        #expect(Self.lease(await pool.admit(affinityKey: nil)) != nil)
    }

    @Test func noQueueRefusesAsSoonAsTheHostsAreFull() async throws {
        let pool = pool(maxConcurrent: 1, depth: 0)
        let busy = try #require(Self.lease(await pool.admit(affinityKey: nil)))
        guard case .queueFull = await pool.admit(affinityKey: nil) else {
            Issue.record("expected queueFull")
            return
        }
        busy.finish(.success)
    }

    @Test func aHostThatIsDownIsNotWaitedFor() async throws {
        let pool = pool(hosts: 1)
        pool.hosts[0].recordProbe(.down, unhealthyAfter: 1, at: .now)
        guard case .unavailable = await pool.admit(affinityKey: nil) else {
            Issue.record("expected unavailable")
            return
        }
        #expect(pool.queueStats.queued == 0)
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let pool = pool(maxConcurrent: 1)
        let busy = try #require(Self.lease(await pool.admit(affinityKey: nil)))
        let waiting = Task { await pool.admit(affinityKey: nil) }
        await Self.waitForDepth(pool, 1)
        waiting.cancel()
        guard case .timedOut = await waiting.value else {
            Issue.record("expected the wait to end")
            return
        }
        #expect(pool.queueStats.depth == 0)
        busy.finish(.success)
        #expect(Self.lease(await pool.admit(affinityKey: nil)) != nil)
    }

    /// A request that failed on host 0 and waits for host 1 is not woken for nothing by host 0's
    /// slot: that slot goes to the next request in line.
    @Test func aSlotOnAnAlreadyTriedHostGoesToTheNextInLine() async throws {
        let pool = pool(hosts: 2, maxConcurrent: 1)
        let onZero = try #require(pool.acquire(affinityKey: nil, excluding: [1]))
        let onOne = try #require(pool.acquire(affinityKey: nil, excluding: [0]))
        let failedOver = Task { await pool.admit(affinityKey: nil, excluding: [0]) }
        await Self.waitForDepth(pool, 1)
        let fresh = Task { await pool.admit(affinityKey: nil) }
        await Self.waitForDepth(pool, 2)
        onZero.finish(.success)
        let freshLease = try #require(Self.lease(await fresh.value))
        #expect(freshLease.index == 0)
        await Self.waitForDepth(pool, 1)
        onOne.finish(.success)
        #expect(Self.lease(await failedOver.value)?.index == 1)
        freshLease.finish(.success)
    }

    /// While slots churn, a newcomer that finds one freed since it looked looks again from the
    /// back: it never jumps ahead of those waiting, and the queue never grows past its depth.
    @Test func churnNeverPushesTheQueuePastItsDepth() async throws {
        let pool = pool(hosts: 1, maxConcurrent: 1, depth: 3, wait: .seconds(5))
        let deepest = Arrivals()
        let outcomes = Arrivals()
        let sampling = Task {
            while !Task.isCancelled {
                deepest.note(pool.queueStats.depth)
                try? await Task.sleep(for: .microseconds(50))
            }
        }
        await withDiscardingTaskGroup { group in
            for _ in 0..<60 {
                group.addTask {
                    switch await pool.admit(affinityKey: nil) {
                    case .lease(let lease):
                        try? await Task.sleep(for: .microseconds(300))
                        lease.finish(.success)
                        outcomes.note(1)
                    case .queueFull: outcomes.note(2)
                    case .unavailable, .timedOut: outcomes.note(3)
                    }
                }
            }
        }
        sampling.cancel()
        #expect((deepest.numbers.max() ?? 0) <= 3)
        #expect(outcomes.numbers.count == 60 && !outcomes.numbers.contains(3))
        #expect(pool.queueStats.depth == 0 && pool.hosts[0].snapshot(at: .now).outstanding == 0)
    }

    /// Many requests against few slots: every one is served, none refused, none lost.
    @Test func aBurstBeyondCapacityIsServedWhole() async throws {
        let pool = pool(hosts: 2, maxConcurrent: 4, depth: 256)
        let served = Arrivals()
        await withDiscardingTaskGroup { group in
            for _ in 0..<200 {
                group.addTask {
                    guard let lease = Self.lease(await pool.admit(affinityKey: nil)) else { return }
                    #expect(pool.hosts[lease.index].snapshot(at: .now).outstanding <= 4)
                    try? await Task.sleep(for: .microseconds(200))
                    lease.finish(.success)
                    served.note(1)
                }
            }
        }
        #expect(served.numbers.count == 200)
        #expect(pool.queueStats.refusedFull == 0 && pool.queueStats.timedOut == 0 && pool.queueStats.depth == 0)
    }
}

/// What the concurrent tasks of a test note, in order.
final class Arrivals: Sendable {
    private let list = Mutex<[Int]>([])
    func note(_ number: Int) { list.withLock { $0.append(number) } }
    var numbers: [Int] { list.withLock { $0 } }
}
