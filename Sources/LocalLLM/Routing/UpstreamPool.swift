import Synchronization

/// A named pool of interchangeable inference hosts, with the balancer in front of them.
package final class UpstreamPool: Sendable {
    package let configuration: UpstreamPoolConfiguration
    package let hosts: [UpstreamHost]
    private let rotation = Atomic<Int>(0)
    let queue: AdmissionQueue

    package var name: String { configuration.name }
    package var kind: UpstreamPoolConfiguration.HostKind { configuration.kind }

    package init(configuration: UpstreamPoolConfiguration) {
        self.configuration = configuration
        self.hosts = configuration.hosts.enumerated().map { index, host in
            UpstreamHost(id: "\(configuration.name)/\(index)", configuration: host, breaker: configuration.breaker)
        }
        self.queue = AdmissionQueue(depth: configuration.queue.depth)
    }

    /// A claimed slot on one host. End it exactly once with ``finish(_:)``.
    package struct Lease: Sendable {
        package let host: UpstreamHost
        package let index: Int
        let isTrial: Bool
        let queue: AdmissionQueue

        package func finish(_ outcome: UpstreamHost.Outcome, at now: ContinuousClock.Instant = .now) {
            host.finish(outcome, isTrial: isTrial, at: now)
            queue.slotFreed()
        }
    }

    /// How ``admit(affinityKey:excluding:)`` ended.
    package enum Admission: Sendable {
        case lease(Lease)
        /// No host outside `excluding` is usable at all (down, loading, breaker open): fail over
        /// or fail now, waiting would not help.
        case unavailable
        /// Every usable host is full and the queue is at its depth.
        case queueFull
        /// Every usable host stayed full for the queue's whole wait (or the caller went away).
        case timedOut
    }

    /// Claims a slot as ``acquire(affinityKey:excluding:at:)`` does, but when every usable host
    /// is at `max_concurrent` waits in the pool's queue (oldest first, bounded in depth and time)
    /// for one to free up. A request that arrives while others wait queues behind them.
    package func admit(affinityKey: String?, excluding excluded: Set<Int> = []) async -> Admission {
        var started: ContinuousClock.Instant?
        var front = false
        while true {
            let generation = queue.generation
            if front || queue.isEmpty, let lease = acquire(affinityKey: affinityKey, excluding: excluded) {
                if let started {
                    queue.record(waited: .now - started, timedOut: false)
                    // More room than this one slot (a host back in rotation): wake the next too.
                    if !queue.isEmpty, hosts.contains(where: { $0.hasRoom(at: .now) }) { queue.passOn() }
                }
                return .lease(lease)
            }
            let now = ContinuousClock.now
            guard hosts.indices.contains(where: { !excluded.contains($0) && hosts[$0].snapshot(at: now).available }) else {
                if let started { queue.record(waited: now - started, timedOut: false) }
                return .unavailable
            }
            if front, !excluded.isEmpty, hosts.contains(where: { $0.hasRoom(at: now) }) {
                // The slot that woke this request is on a host it has already tried: wake the next.
                queue.passOn()
            }
            let start = started ?? now
            started = start
            switch await queue.wait(after: generation, front: front, until: start + configuration.queue.wait) {
            case .retry:
                front = true
            case .changed:
                // Not queued yet: a newcomer stays behind those waiting (and within the depth).
                continue
            case .full:
                return .queueFull
            case .expired:
                queue.record(waited: .now - start, timedOut: true)
                return .timedOut
            }
        }
    }

    /// Claims the best host not in `excluded`, or nil when none can take the request.
    package func acquire(
        affinityKey: String?,
        excluding excluded: Set<Int> = [],
        at now: ContinuousClock.Instant = .now
    ) -> Lease? {
        var candidates: [LoadBalancer.Candidate] = []
        candidates.reserveCapacity(hosts.count)
        for (index, host) in hosts.enumerated() where !excluded.contains(index) {
            let snapshot = host.snapshot(at: now)
            guard snapshot.available else { continue }
            candidates.append(
                .init(
                    index: index,
                    id: host.id,
                    weight: host.configuration.weight,
                    outstanding: snapshot.outstanding,
                    maxConcurrent: host.configuration.maxConcurrent
                )
            )
        }
        let turn = rotation.add(1, ordering: .relaxed).newValue
        let key = configuration.affinity == .none ? nil : affinityKey
        for index in LoadBalancer.order(candidates, affinityKey: key, rotation: turn) {
            if let permit = hosts[index].tryBegin(at: now) {
                return Lease(host: hosts[index], index: index, isTrial: permit == .trial, queue: queue)
            }
        }
        return nil
    }

    /// A host to ask something that needs no generation slot (counting tokens): healthy and not
    /// refused by its breaker, however many requests it has in flight; the least busy first.
    /// Claims nothing, so a full single-slot host still answers and a half-open breaker's trial
    /// is kept for a real request.
    package func hostForQuery(at now: ContinuousClock.Instant = .now) -> UpstreamHost? {
        var best: (host: UpstreamHost, outstanding: Int)?
        for host in hosts {
            let snapshot = host.snapshot(at: now)
            guard snapshot.available, snapshot.breakerState == "closed" else { continue }
            if best == nil || snapshot.outstanding < best!.outstanding { best = (host, snapshot.outstanding) }
        }
        return best?.host
    }

    /// The admission queue's figures for `/metrics`.
    package var queueStats: AdmissionQueue.Stats { queue.stats }

    /// Whether at least one host could take a request now (for readiness).
    package func hasAvailableHost(at now: ContinuousClock.Instant = .now) -> Bool {
        kind == .echo || hosts.contains { $0.snapshot(at: now).available }
    }
}
