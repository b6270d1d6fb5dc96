package import AsyncHTTPClient
package import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Probes every host of every pool on the pool's interval; a `Service` in the appliance's group.
/// It follows configuration reloads: when `changes` yields, the probes start over on the pools
/// `pools()` gives then.
package struct HealthChecker: Service {
    let pools: @Sendable () -> [UpstreamPool]
    let changes: AsyncStream<Void>
    let client: HTTPClient
    let logger: Logger

    package init(pools: @escaping @Sendable () -> [UpstreamPool], changes: AsyncStream<Void>, client: HTTPClient, logger: Logger) {
        self.pools = pools
        self.changes = changes
        self.client = client
        self.logger = logger
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            var reloads = changes.makeAsyncIterator()
            while !Task.isCancelled {
                let probed = pools().filter { $0.kind != .echo && !$0.hosts.isEmpty }
                // Probe until the pools change (or the service stops), then start over.
                let changed = await withTaskGroup(of: Bool.self) { group in
                    for pool in probed {
                        group.addTask {
                            await probeLoop(pool)
                            return false
                        }
                    }
                    var iterator = reloads
                    let next: Void? = await iterator.next()
                    reloads = iterator
                    group.cancelAll()
                    return next != nil
                }
                if !changed { return }
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
                    // A host back in rotation is room for the requests waiting in the queue.
                    if after == .healthy && before != .healthy { pool.queue.slotFreed() }
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
