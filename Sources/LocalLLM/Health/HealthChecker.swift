package import AsyncHTTPClient
package import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Probes every host of every pool on the pool's interval; a `Service` in the appliance's group.
package struct HealthChecker: Service {
    let pools: [UpstreamPool]
    let client: HTTPClient
    let logger: Logger

    package init(pools: [UpstreamPool], client: HTTPClient, logger: Logger) {
        self.pools = pools.filter { $0.kind != .echo && !$0.hosts.isEmpty }
        self.client = client
        self.logger = logger
    }

    package func run() async throws {
        guard !pools.isEmpty else {
            // Nothing to probe (only built-in models): stay up until the group shuts down.
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for pool in pools {
                    group.addTask { await probeLoop(pool) }
                }
            }
        }
    }

    private func probeLoop(_ pool: UpstreamPool) async {
        let probe = HealthProbe(kind: pool.kind, overridePath: pool.configuration.health.path)
        while !Task.isCancelled {
            await probeOnce(pool, probe: probe)
            try? await Task.sleep(for: pool.configuration.health.interval)
        }
    }

    /// Probes each host of `pool` once, concurrently, and records the answers.
    package func probeOnce(_ pool: UpstreamPool, probe: HealthProbe) async {
        await withDiscardingTaskGroup { group in
            for host in pool.hosts {
                group.addTask {
                    let before = host.snapshot(at: .now).health
                    // A healthy host that is serving needs no probe (a failure shows on the
                    // requests themselves), and some engines (llama-cpp-python) interrupt a running
                    // generation when any other request arrives.
                    if before == .healthy && host.snapshot(at: .now).outstanding > 0 { return }
                    let health = await check(host, pool: pool, probe: probe)
                    host.recordProbe(health, unhealthyAfter: pool.configuration.health.unhealthyAfter, at: .now)
                    let after = host.snapshot(at: .now).health
                    if before != after {
                        logger.notice(
                            "upstream health changed",
                            metadata: ["upstream.id": "\(host.id)", "upstream.health": "\(after.rawValue)"]
                        )
                    }
                }
            }
        }
    }

    private func check(_ host: UpstreamHost, pool: UpstreamPool, probe: HealthProbe) async -> UpstreamHost.Health {
        var request = HTTPClientRequest(url: host.configuration.rootURL + probe.path)
        if let key = host.configuration.apiKey {
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
        }
        let timeout = pool.configuration.health.timeout.timeAmount
        do {
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 1 << 20)
            return HealthProbe.health(forStatus: Int(response.status.code), kind: pool.kind)
        } catch {
            return .down
        }
    }
}
