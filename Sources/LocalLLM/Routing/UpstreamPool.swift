import Synchronization

/// A named pool of interchangeable inference hosts, with the balancer in front of them.
package final class UpstreamPool: Sendable {
    package let configuration: UpstreamPoolConfiguration
    package let hosts: [UpstreamHost]
    private let rotation = Atomic<Int>(0)

    package var name: String { configuration.name }
    package var kind: UpstreamPoolConfiguration.HostKind { configuration.kind }

    package init(configuration: UpstreamPoolConfiguration) {
        self.configuration = configuration
        self.hosts = configuration.hosts.enumerated().map { index, host in
            UpstreamHost(id: "\(configuration.name)/\(index)", configuration: host, breaker: configuration.breaker)
        }
    }

    /// A claimed slot on one host. End it exactly once with ``finish(_:)``.
    package struct Lease: Sendable {
        package let host: UpstreamHost
        package let index: Int
        let isTrial: Bool

        package func finish(_ outcome: UpstreamHost.Outcome, at now: ContinuousClock.Instant = .now) {
            host.finish(outcome, isTrial: isTrial, at: now)
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
                return Lease(host: hosts[index], index: index, isTrial: permit == .trial)
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

    /// Whether at least one host could take a request now (for readiness).
    package func hasAvailableHost(at now: ContinuousClock.Instant = .now) -> Bool {
        kind == .echo || hosts.contains { $0.snapshot(at: now).available }
    }
}
