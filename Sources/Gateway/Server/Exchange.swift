import Logging

/// One client request from arrival to last byte: what it asked for, who asked, and how it
/// ended. It records metrics and leaves one structured log line (never content or keys).
struct Exchange: Sendable {
    let id: String
    let route: String
    let started: ContinuousClock.Instant
    var principal: Principal?
    var model: String = "-"
    var upstreamID: String?

    init(route: String, metrics: GatewayMetrics) {
        self.id = Self.makeID()
        self.route = route
        self.started = .now
        metrics.requestStarted()
    }

    /// The same exchange, noting the host that answered.
    func answered(by hostID: String) -> Exchange {
        var copy = self
        copy.upstreamID = hostID
        return copy
    }

    /// Ends the exchange: metrics, then the journal line.
    func finish(status: Int, outcome: String, runtime: GatewayRuntime) {
        let duration = ContinuousClock.now - started
        runtime.metrics.requestFinished(route: route, model: model, status: status, duration: duration)
        runtime.logger.info(
            "request completed",
            metadata: [
                "request.id": "\(id)", "request.route": "\(route)", "request.model": "\(model)",
                "request.status": "\(status)", "request.outcome": "\(outcome)",
                "request.duration_ms": "\(duration / .milliseconds(1))",
                "key.id": "\(principal?.keyID ?? "-")", "user": "\(principal?.user ?? "-")",
                "upstream.id": "\(upstreamID ?? "-")",
            ]
        )
    }

    private static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return "req_" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
