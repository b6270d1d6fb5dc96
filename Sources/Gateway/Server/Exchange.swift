import Access
import Audit
import Foundation
import Governance
import Hummingbird
import Logging

/// One client request from arrival to last byte: what it asked for, who asked, and how it
/// ended. It records metrics, leaves one structured log line (never content or keys) and one
/// audit record.
struct Exchange: Sendable {
    let id: String
    let route: String
    let started: ContinuousClock.Instant
    let startedAt: Date
    /// The calling program, from its User-Agent.
    let client: String?
    var principal: Principal?
    /// The public model name the client asked for.
    var model: String = "-"
    /// The model name the host was asked for.
    var routedModel: String?
    var upstreamID: String?
    var firstByte: ContinuousClock.Instant?
    var usage = TokenUsage()
    /// The request body's size: the quota's bound on its input tokens.
    var requestBytes = 0
    /// The caller's policy, once authenticated (nil when governance is off).
    var inspector: ContentInspector?
    var report = GovernanceReport()
    var book = PlaceholderBook()
    var reservation: QuotaLedger.Reservation?

    init(route: String, request: Request, metrics: GatewayMetrics) {
        self.id = Self.makeID()
        self.route = route
        self.started = .now
        self.startedAt = Date()
        self.client = ClientName.from(userAgent: request.headers[.userAgent])
        metrics.requestStarted()
    }

    /// The same exchange, noting the host that answered.
    func answered(by hostID: String) -> Exchange {
        var copy = self
        copy.upstreamID = hostID
        return copy
    }

    /// Ends the exchange: metrics, the journal line, then the audit record. Returns false when
    /// the record could not be committed (the audit store is failing): the caller must not send
    /// the response's last bytes as if all were well.
    @discardableResult
    func finish(status: Int, outcome: ExchangeOutcome, runtime: GatewayRuntime) async -> Bool {
        let duration = ContinuousClock.now - started
        // Only routed names label metrics: a refused request's model is whatever the client sent.
        runtime.metrics.requestFinished(route: route, model: routedModel == nil ? "-" : model, status: status, duration: duration)
        runtime.logger.info(
            "request completed",
            metadata: [
                "request.id": "\(id)", "request.route": "\(route)", "request.model": "\(model)",
                "request.status": "\(status)", "request.outcome": "\(outcome.rawValue)",
                "request.verdict": "\(report.evaluated ? report.verdict.rawValue : "-")",
                "request.duration_ms": "\(duration / .milliseconds(1))",
                "key.id": "\(principal?.keyID ?? "-")", "user": "\(principal?.user ?? "-")",
                "upstream.id": "\(upstreamID ?? "-")",
            ]
        )
        if let reservation {
            let start = ContinuousClock.now
            let used =
                usage.input.flatMap { input in usage.output.map { input + $0 } }
                ?? (upstreamID == nil ? 0 : nil)
            runtime.quotas.settle(reservation, used: used)
            runtime.metrics.stepFinished(GatewayRuntime.Step.quotaSettlement.rawValue, duration: .now - start)
        }
        let auditStart = ContinuousClock.now
        let committed = await runtime.audit.record(record(status: status, outcome: outcome, duration: duration))
        runtime.metrics.stepFinished(GatewayRuntime.Step.audit.rawValue, duration: .now - auditStart)
        if !committed {
            runtime.logger.error("request not recorded: the audit log cannot be written", metadata: ["request.id": "\(id)"])
        }
        return committed
    }

    func record(status: Int, outcome: ExchangeOutcome, duration: Duration) -> AuditEntry {
        var entry = AuditEntry(time: startedAt, kind: .request, name: id)
        entry.keyID = principal?.keyID
        entry.user = principal?.user
        entry.team = principal?.team
        entry.client = client
        entry.endpoint = route
        entry.model = model == "-" ? nil : model
        entry.routedModel = routedModel
        entry.host = upstreamID
        entry.status = Int64(status)
        entry.latencyMicros = Int64(duration / .microseconds(1))
        entry.firstTokenMicros = firstByte.map { Int64(($0 - started) / .microseconds(1)) }
        entry.tokensIn = usage.input
        entry.tokensOut = usage.output
        if report.evaluated {
            entry.verdict = report.verdict.rawValue
            entry.findings = report.findingsJSON
            entry.detail = report.contentJSON
        } else {
            // Refused before the policy was applied (or governance is off): no verdict to tell.
            entry.verdict = status < 400 ? "allow" : nil
        }
        entry.outcome = outcome.rawValue
        entry.policy = inspector?.policyVersion
        return entry
    }

    private static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return "req_" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
