import Access
import Detection
import Foundation
import Governance
import Hummingbird
import JSONWire
import LocalLLM

/// The governance pipeline's steps as the request handlers run them, each timed in `/metrics`
/// (`tappass_pipeline_step_duration_seconds{step}`):
///
/// authenticate → request_limits → entitlement (the key's models) → model_policy (the team's
/// allow/deny lists) → input_detectors (find, redact, block) → verdict → quota_reservation →
/// route → output_filter → quota_settlement → audit.
///
/// Quota is reserved after the verdict, so a blocked request uses no budget, and before the
/// host is called, so no call starts beyond a limit. A step that cannot evaluate fails closed.
extension GatewayRuntime {
    enum Step: String, CaseIterable {
        case authenticate
        case requestLimits = "request_limits"
        case entitlement
        case modelPolicy = "model_policy"
        case inputDetectors = "input_detectors"
        case verdict
        case quotaReservation = "quota_reservation"
        case route
        case outputFilter = "output_filter"
        case quotaSettlement = "quota_settlement"
        case audit
    }

    func timed<T, E: Error>(_ step: Step, _ body: () throws(E) -> T) throws(E) -> T {
        let start = ContinuousClock.now
        defer { metrics.stepFinished(step.rawValue, duration: .now - start) }
        return try body()
    }

    /// Authenticates and prepares the exchange's governance (the caller's effective policy).
    /// The later stages take the caller it returns: they exist only after it.
    func admit(_ request: Request, exchange: inout Exchange) throws(GatewayError) -> Principal {
        let principal = try timed(.authenticate) { () throws(GatewayError) in try authenticate(request) }
        exchange.principal = principal
        exchange.inspector = policy.inspector(key: principal.keyID, team: principal.team)
        return principal
    }

    /// The key's model list, then the policy's model rules for the caller, then the route.
    func resolve(model: String, for caller: Principal, exchange: inout Exchange) throws(GatewayError) -> ModelRouter.Target {
        try Self.validate(model: model)
        exchange.model = model
        do throws(GatewayError) {
            return try resolveValid(model: model, for: caller, exchange: &exchange)
        } catch {
            // A name that routes nowhere is whatever the caller sent: it reaches the journal and
            // the audit record only if it carries nothing the detectors find.
            if exchange.routedModel == nil, !(exchange.inspector?.detectors ?? .standard).scan(model).isEmpty {
                exchange.model = "[REDACTED:model]"
            }
            throw error
        }
    }

    /// Model names as hosts and configurations write them: 1 to 256 ASCII letters, digits and
    /// `. _ : / @ + - [ ]` (no spaces, no line breaks that could forge a log line).
    static func validate(model: String) throws(GatewayError) {
        let allowed = model.utf8.allSatisfy { byte in
            TextScanner.isAlnum(byte) || [0x2E, 0x5F, 0x3A, 0x2F, 0x40, 0x2B, 0x2D, 0x5B, 0x5D].contains(byte)
        }
        guard allowed, (1...256).contains(model.utf8.count) else {
            throw GatewayError(
                .invalidRequest,
                "'model' must be 1 to 256 characters of ASCII letters, digits and . _ : / @ + - [ ].",
                param: "model"
            )
        }
    }

    private func resolveValid(model: String, for principal: Principal, exchange: inout Exchange) throws(GatewayError) -> ModelRouter.Target
    {
        try timed(.entitlement) { () throws(GatewayError) in
            guard principal.mayUse(model: model) else {
                throw GatewayError(.permission, "This API key may not use the model '\(model)'.", param: "model")
            }
        }
        if let inspector = exchange.inspector {
            try timed(.modelPolicy) { () throws(GatewayError) in
                guard inspector.policy.permits(model: model) else {
                    exchange.report.evaluated = true
                    throw GatewayError(
                        .permission,
                        "The policy does not allow team '\(principal.team)' to use the model '\(model)'.",
                        param: "model"
                    )
                }
            }
        }
        let target = try timed(.route) { () throws(GatewayError) in try route(model: model, for: principal) }
        exchange.model = target.publicName
        exchange.routedModel = target.upstreamModel
        return target
    }

    /// Scans the request's content (`input_detectors`), then applies the policy to what was
    /// found (`verdict`): redacts in place, or refuses on a `block`.
    func inspectRequest(_ body: inout JSONValue, exchange: inout Exchange) throws(GatewayError) {
        guard let inspector = exchange.inspector else { return }
        let start = ContinuousClock.now
        var scanning = Duration.zero
        defer {
            metrics.stepFinished(Step.inputDetectors.rawValue, duration: scanning)
            metrics.stepFinished(Step.verdict.rawValue, duration: .now - start - scanning)
        }
        do {
            try inspector.inspect(
                &body,
                scope: .request,
                direction: "request",
                report: &exchange.report,
                book: &exchange.book,
                scanTime: &scanning
            )
        } catch {
            throw GatewayError(error)
        }
    }

    /// Scans a whole response's content (non-streamed answers): redacts in place (returns
    /// whether it did), or refuses.
    @discardableResult
    func inspectResponse(_ body: inout JSONValue, exchange: inout Exchange) throws(GatewayError) -> Bool {
        guard let inspector = exchange.inspector else { return false }
        let start = ContinuousClock.now
        defer { metrics.stepFinished(Step.outputFilter.rawValue, duration: .now - start) }
        do {
            return try inspector.inspect(
                &body,
                scope: .response,
                direction: "response",
                report: &exchange.report,
                book: &exchange.book
            )
        } catch {
            throw GatewayError(error)
        }
    }

    /// Where a wire format keeps the output budget.
    enum OutputLimit {
        /// OpenAI chat: `max_completion_tokens` or `max_tokens`, times `n`.
        case openAIChat
        /// Anthropic: `max_tokens`.
        case anthropic
        /// Embeddings generate nothing.
        case none
    }

    /// The output budget given to a token-limited request that names none.
    static let defaultOutputBudget: Int64 = 4096

    /// Reserves the caller's key and team budgets; lowers the request's output budget to what
    /// is left when it asks for more (or for nothing in particular).
    func reserveQuota(_ body: inout JSONValue, limit: OutputLimit, exchange: inout Exchange) throws(GatewayError) {
        guard let inspector = exchange.inspector, let principal = exchange.principal else { return }
        var subjects: [QuotaLedger.Subject] = []
        if let limits = inspector.policy.keyQuota { subjects.append(.init(name: "key \(principal.keyID)", limits: limits)) }
        if let limits = inspector.policy.teamQuota { subjects.append(.init(name: "team \(principal.team)", limits: limits)) }
        guard !subjects.isEmpty else { return }
        let start = ContinuousClock.now
        defer { metrics.stepFinished(Step.quotaReservation.rawValue, duration: .now - start) }
        let input = Int64(exchange.requestBytes) + 64
        let choices = max(1, body["n"]?.intValue ?? 1)
        let requested: Int64? =
            switch limit {
            case .openAIChat: (body["max_completion_tokens"]?.intValue ?? body["max_tokens"]?.intValue).map { $0 * choices }
            case .anthropic: body["max_tokens"]?.intValue
            case .none: 0
            }
        // A request without an output budget gets one: the limit cannot be exact otherwise.
        let output = requested ?? Self.defaultOutputBudget
        let reservation: QuotaLedger.Reservation?
        do {
            reservation = try quotas.reserve(subjects, input: input, output: output)
        } catch {
            throw GatewayError(error)
        }
        guard let reservation else { return }
        exchange.reservation = reservation
        guard let granted = reservation.grantedOutput, granted != requested else { return }
        switch limit {
        case .openAIChat:
            let perChoice = max(1, granted / choices)
            if body["max_completion_tokens"] != nil { body["max_completion_tokens"] = .int(perChoice) }
            body["max_tokens"] = .int(perChoice)
        case .anthropic:
            body["max_tokens"] = .int(max(1, granted))
        case .none:
            break
        }
    }

    /// A stream filter for this exchange's output, or nil when governance is off.
    func streamFilter(_ exchange: Exchange) -> StreamFilter? {
        exchange.inspector.map { StreamFilter(inspector: $0, window: configuration.governance.streamWindow) }
    }
}
