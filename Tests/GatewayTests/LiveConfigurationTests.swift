import Audit
import Governance
import LocalLLM
import Testing

@testable import Gateway

/// A reload puts the live sections in force at once, keeps the pools it did not change (their
/// hosts' health and load with them), and names what waits for a restart.
@Suite struct LiveConfigurationTests {
    static let gpu = UpstreamPoolConfiguration(name: "gpu", kind: .vllm, hosts: [.init(baseURL: "http://gpu-1/v1")])
    static let cpu = UpstreamPoolConfiguration(name: "cpu", kind: .llamacpp, hosts: [.init(baseURL: "http://cpu-1/v1")])

    static func configuration() -> GatewayConfiguration {
        GatewayConfiguration(pools: [gpu, cpu], models: [ModelRoute(pattern: "llama", pool: "gpu")])
    }

    @Test func routesAndPoolsChangeLiveAndUnchangedPoolsAreKept() async throws {
        let live = LiveConfiguration(Self.configuration())
        let before = live.snapshot
        #expect(before.router.resolve("qwen") == nil)
        var new = Self.configuration()
        new.models.append(ModelRoute(pattern: "qwen", pool: "cpu", upstreamModel: "qwen2.5"))
        new.pools[1].hosts.append(.init(baseURL: "http://cpu-2/v1"))
        new.limits.maxBodyBytes = 1 << 20
        let change = live.apply(new)
        #expect(change.applied == ["upstreams", "models", "limits"])
        #expect(change.restartRequired.isEmpty)
        let after = live.snapshot
        let target = try #require(after.router.resolve("qwen"))
        #expect(target.upstreamModel == "qwen2.5" && target.pool.hosts.count == 2)
        // The unchanged pool is the same object (health, breakers, requests in flight kept).
        #expect(after.pools[0] === before.pools[0])
        #expect(after.pools[1] !== before.pools[1])
        #expect(after.configuration.limits.maxBodyBytes == 1 << 20)
        // The health checker hears that the pools changed.
        var changes = live.poolChanges.makeAsyncIterator()
        let heard: Void? = await changes.next()
        #expect(heard != nil)
    }

    @Test func whatNeedsARestartIsNamedAndLeftAsItIs() {
        let live = LiveConfiguration(Self.configuration())
        let pools = live.snapshot.pools
        var new = Self.configuration()
        new.listen.port = 9999
        new.audit.durability = .batched
        new.governance.enabled = false
        let change = live.apply(new)
        #expect(change.applied.isEmpty)
        #expect(change.restartRequired == ["listen", "audit", "governance.enabled"])
        let running = live.snapshot.configuration
        #expect(running.listen.port == Self.configuration().listen.port)
        #expect(running.audit.durability == Self.configuration().audit.durability)
        #expect(running.governance.enabled)
        // Nothing live changed: the same pools stay.
        #expect(zip(live.snapshot.pools, pools).allSatisfy { $0 === $1 })
        #expect(live.apply(Self.configuration()) == LiveConfiguration.Change(applied: [], restartRequired: []))
    }
}
