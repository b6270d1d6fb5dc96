import Foundation
package import LocalLLM
import Prometheus
import Synchronization

/// The gateway's Prometheus metrics: requests by route, model and status, latency histograms,
/// in-flight requests, and each upstream host's health, load and breaker state at scrape time.
package final class GatewayMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let inFlight: Gauge
    /// Counters and histograms by label values, so the hot path does one dictionary look-up
    /// instead of building label arrays and asking the registry each time.
    private struct SeriesKey: Hashable {
        var route: String
        var model: String
        var status: Int
    }
    private let counters = Mutex<[SeriesKey: Counter]>([:])
    private let histograms = Mutex<[String: DurationHistogram]>([:])
    /// Each pool's admission-queue figures as last exported: the counters grow by the difference.
    private let exportedQueues = Mutex<[String: AdmissionQueue.Stats]>([:])
    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
    ]

    /// `tappass_<metric>[_<unit>]`.
    private static func name(_ metric: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "tappass", metricName: metric, unitName: unit, helpText: help)
    }

    package init() {
        inFlight = registry.makeGauge(descriptor: Self.name("requests_in_flight", help: "Requests being served now."))
    }

    package func requestStarted() { inFlight.increment() }

    package func requestFinished(route: String, model: String, status: Int, duration: Duration) {
        inFlight.decrement()
        let key = SeriesKey(route: route, model: model, status: status)
        let counter = counters.withLock { cache in
            if let counter = cache[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: Self.name("requests", unit: "total", help: "Requests served, by route, routed model and status."),
                labels: [("route", route), ("model", model), ("status", String(status))]
            )
            cache[key] = counter
            return counter
        }
        counter.increment()
        histogram(in: histograms, key: route) {
            registry.makeDurationHistogram(
                descriptor: Self.name("request_duration", unit: "seconds", help: "Time from request to last response byte."),
                labels: [("route", route)],
                buckets: Self.latencyBuckets
            )
        }.record(duration)
    }

    /// The histogram cached under `key`, made on first use.
    private func histogram(
        in cache: borrowing Mutex<[String: DurationHistogram]>,
        key: String,
        make: () -> DurationHistogram
    ) -> DurationHistogram {
        cache.withLock { cache in
            if let histogram = cache[key] { return histogram }
            let histogram = make()
            cache[key] = histogram
            return histogram
        }
    }

    private let steps = Mutex<[String: DurationHistogram]>([:])
    private static let stepBuckets: [Duration] = [
        .microseconds(5), .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
        .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(50),
    ]

    /// One governance pipeline step's time (the histogram's count is how often it ran).
    package func stepFinished(_ step: String, duration: Duration) {
        histogram(in: steps, key: step) {
            registry.makeDurationHistogram(
                descriptor: Self.name("pipeline_step_duration", unit: "seconds", help: "Time in each governance pipeline step."),
                labels: [("step", step)],
                buckets: Self.stepBuckets
            )
        }.record(duration)
    }

    package func upstreamAttemptFailed(host: String, code: String) {
        registry.makeCounter(
            descriptor: Self.name("upstream_failures", unit: "total", help: "Failed attempts to reach an inference host."),
            labels: [("upstream", host), ("code", code)]
        ).increment()
    }

    /// Prometheus text exposition, with host and license gauges refreshed from live state.
    package func render(
        pools: [UpstreamPool],
        license: LicenseGate.State = .init(),
        seatUsers: Int = 0,
        policyBundleVersion: UInt64? = nil
    ) -> [UInt8] {
        registry.makeGauge(
            descriptor: Self.name(
                "policy_bundle_version",
                help: "The version of the signed policy bundle in force (0 when a policy file or the default is)."
            )
        ).set(to: Double(policyBundleVersion ?? 0))
        registry.makeGauge(descriptor: Self.name("license_seats", help: "Seats the license covers (0 while evaluating: no limit)."))
            .set(to: Double(license.seats ?? 0))
        registry.makeGauge(
            descriptor: Self.name(
                "license_clock_behind",
                unit: "seconds",
                help: "How far the system clock is behind the latest time the appliance has seen (0 when it is not)."
            )
        ).set(to: license.clockBehind)
        registry.makeGauge(descriptor: Self.name("license_seat_users", help: "Distinct users holding an active API key."))
            .set(to: Double(seatUsers))
        registry.makeGauge(
            descriptor: Self.name(
                "license_seat_grace_ends",
                unit: "timestamp_seconds",
                help: "When users beyond the license's seats stop being served (Unix time; 0 while the seats suffice)."
            )
        ).set(to: license.seatGraceEnds?.timeIntervalSince1970 ?? 0)
        registry.makeGauge(descriptor: Self.name("license_serving", help: "1 when the license lets governed traffic through."))
            .set(to: license.refusal == nil ? 1 : 0)
        registry.makeGauge(
            descriptor: Self.name(
                "license_valid_until",
                unit: "timestamp_seconds",
                help: "When the license or evaluation period ends (Unix time; 0 when none is valid)."
            )
        ).set(to: license.validUntil?.timeIntervalSince1970 ?? 0)
        let now = ContinuousClock.now
        for pool in pools {
            renderQueue(pool)
            for host in pool.hosts {
                let snapshot = host.snapshot(at: now)
                let labels = [("pool", pool.name), ("upstream", host.id)]
                registry.makeGauge(descriptor: Self.name("upstream_healthy", help: "1 when the host takes requests."), labels: labels)
                    .set(to: snapshot.available ? 1 : 0)
                registry.makeGauge(descriptor: Self.name("upstream_outstanding", help: "Requests in flight on the host."), labels: labels)
                    .set(to: Double(snapshot.outstanding))
                for state in ["closed", "open", "half_open"] {
                    registry.makeGauge(
                        descriptor: Self.name("upstream_breaker_state", help: "Circuit breaker state (1 for the current one)."),
                        labels: labels + [("state", state)]
                    ).set(to: snapshot.breakerState == state ? 1 : 0)
                }
            }
        }
        return registry.emitToBuffer()
    }

    /// A pool's admission queue: depth now; requests queued, their wait and the refusals so far.
    private func renderQueue(_ pool: UpstreamPool) {
        let stats = pool.queueStats
        let before = exportedQueues.withLock { exported in
            defer { exported[pool.name] = stats }
            return exported[pool.name] ?? AdmissionQueue.Stats()
        }
        let labels = [("pool", pool.name)]
        registry.makeGauge(
            descriptor: Self.name("upstream_queue_depth", help: "Requests waiting for a host slot (every usable host at max_concurrent)."),
            labels: labels
        ).set(to: Double(stats.depth))
        registry.makeCounter(
            descriptor: Self.name("upstream_queued", unit: "total", help: "Requests that waited in the pool's queue."),
            labels: labels
        ).increment(by: Int64(stats.queued - before.queued))
        registry.makeCounter(
            descriptor: Self.name(
                "upstream_queue_wait_seconds",
                unit: "total",
                help: "Time requests waited in the pool's queue, summed (over tappass_upstream_queued_total: the mean wait)."
            ),
            labels: labels
        ).increment(by: stats.waitSeconds - before.waitSeconds)
        for (reason, now, then) in [("full", stats.refusedFull, before.refusedFull), ("timeout", stats.timedOut, before.timedOut)] {
            registry.makeCounter(
                descriptor: Self.name(
                    "upstream_queue_refused",
                    unit: "total",
                    help: "Requests refused with 503: queue full, or waited too long."
                ),
                labels: labels + [("reason", reason)]
            ).increment(by: Int64(now - then))
        }
    }
}
