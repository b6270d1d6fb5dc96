import Testing

@testable import LocalLLM

@Suite struct UpstreamPoolTests {
    func pool(hosts: Int, maxConcurrent: Int = 2, failures: Int = 2) -> UpstreamPool {
        UpstreamPool(
            configuration: .init(
                name: "gpu",
                kind: .vllm,
                hosts: (0..<hosts).map { UpstreamHostConfiguration(baseURL: "http://10.0.0.\($0):8000/v1", maxConcurrent: maxConcurrent) },
                breaker: .init(failureThreshold: failures, openDuration: .seconds(30))
            )
        )
    }

    @Test func spreadsConcurrentRequestsAndRespectsLimits() {
        let pool = pool(hosts: 2, maxConcurrent: 2)
        let leases = (0..<4).compactMap { _ in pool.acquire(affinityKey: nil) }
        #expect(leases.count == 4)
        #expect(Set(leases.map(\.index)) == [0, 1])
        #expect(pool.acquire(affinityKey: nil) == nil)
        leases[0].finish(.success)
        #expect(pool.acquire(affinityKey: nil)?.index == leases[0].index)
    }

    @Test func failingHostIsTakenOutByItsBreakerThenTriedAgain() {
        let pool = pool(hosts: 2, failures: 2)
        let now = ContinuousClock.now
        for _ in 0..<2 {
            let lease = pool.acquire(affinityKey: nil, excluding: [1], at: now)!
            #expect(lease.index == 0)
            lease.finish(.failure, at: now)
        }
        #expect(pool.hosts[0].snapshot(at: now).breakerState == "open")
        for _ in 0..<3 {
            let lease = pool.acquire(affinityKey: nil, at: now)!
            #expect(lease.index == 1)
            lease.finish(.success, at: now)
        }
        // After the open period one trial goes to host 0; its success closes the breaker.
        let later = now + .seconds(31)
        let trial = pool.acquire(affinityKey: nil, excluding: [1], at: later)!
        #expect(trial.index == 0 && trial.isTrial)
        #expect(pool.acquire(affinityKey: nil, excluding: [1], at: later) == nil)
        trial.finish(.success, at: later)
        #expect(pool.hosts[0].snapshot(at: later).breakerState == "closed")
    }

    @Test func probesTakeHostsOutAndBringThemBack() {
        let pool = pool(hosts: 1)
        let host = pool.hosts[0]
        host.recordProbe(.down, unhealthyAfter: 2, at: .now)
        #expect(pool.acquire(affinityKey: nil) != nil, "one failed probe is not enough")
        pool.hosts[0].finish(.neutral, isTrial: false, at: .now)
        host.recordProbe(.down, unhealthyAfter: 2, at: .now)
        #expect(pool.acquire(affinityKey: nil) == nil)
        #expect(!pool.hasAvailableHost())
        host.recordProbe(.loading, unhealthyAfter: 2, at: .now)
        #expect(pool.acquire(affinityKey: nil) == nil, "a loading host takes no traffic")
        host.recordProbe(.healthy, unhealthyAfter: 2, at: .now)
        #expect(pool.acquire(affinityKey: nil) != nil)
    }

    @Test func healthyProbeClosesAnExpiredOpenBreaker() {
        let pool = pool(hosts: 1, failures: 1)
        let now = ContinuousClock.now
        pool.acquire(affinityKey: nil, at: now)!.finish(.failure, at: now)
        #expect(pool.hosts[0].snapshot(at: now).breakerState == "open")
        pool.hosts[0].recordProbe(.healthy, unhealthyAfter: 2, at: now + .seconds(5))
        #expect(pool.hosts[0].snapshot(at: now + .seconds(5)).breakerState == "open", "too early")
        pool.hosts[0].recordProbe(.healthy, unhealthyAfter: 2, at: now + .seconds(31))
        #expect(pool.hosts[0].snapshot(at: now + .seconds(31)).breakerState == "closed")
    }

    @Test func aQueryGoesToAHealthyHostEvenWhenItsSlotsAreFull() {
        let pool = pool(hosts: 2, maxConcurrent: 1, failures: 1)
        let now = ContinuousClock.now
        let busy = pool.acquire(affinityKey: nil, excluding: [1], at: now)!
        #expect(pool.hostForQuery(at: now)?.id == "gpu/1", "the least busy host first")
        pool.hosts[1].recordProbe(.down, unhealthyAfter: 1, at: now)
        #expect(pool.hostForQuery(at: now)?.id == "gpu/0", "a full host still answers queries")
        busy.finish(.failure, at: now)
        #expect(pool.hostForQuery(at: now) == nil, "an open breaker or a down host gets none")
        // Past the open period the breaker would allow one trial: a query must not take it.
        #expect(pool.hostForQuery(at: now + .seconds(31)) == nil)
        #expect(pool.acquire(affinityKey: nil, at: now + .seconds(31))?.isTrial == true)
    }

    @Test(arguments: [
        (UpstreamPoolConfiguration.HostKind.vllm, "/health"), (.llamacpp, "/health"), (.tgi, "/health"),
        (.ollama, "/api/tags"), (.openai, "/v1/models"),
    ])
    func probePathByKind(kind: UpstreamPoolConfiguration.HostKind, path: String) {
        #expect(HealthProbe(kind: kind).path == path)
    }

    @Test func llamaCppLoadingIsNotDown() {
        #expect(HealthProbe.health(forStatus: 503, kind: .llamacpp) == .loading)
        #expect(HealthProbe.health(forStatus: 503, kind: .vllm) == .down)
        #expect(HealthProbe.health(forStatus: 200, kind: .ollama) == .healthy)
    }

    @Test func rootURLDropsTheV1Suffix() {
        #expect(UpstreamHostConfiguration(baseURL: "http://h:8000/v1/").rootURL == "http://h:8000")
        #expect(UpstreamHostConfiguration(baseURL: "http://h:11434").rootURL == "http://h:11434")
    }
}
