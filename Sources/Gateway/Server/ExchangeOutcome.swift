/// How an exchange ended, as the journal line, the audit record (`outcome`) and the metrics
/// name it.
enum ExchangeOutcome: String, Sendable, CaseIterable {
    /// The answer went out whole.
    case completed
    /// Refused before any host was asked: authentication, validation, routing, quota, license.
    case refused
    /// The request's content was blocked by policy.
    case blocked
    /// The answer's content was blocked by policy (a stream ended with an error event).
    case filtered
    /// The host failed, timed out or sent something that is not an answer.
    case upstreamError = "upstream-error"
    /// The host refused the request (its 4xx, passed on).
    case upstreamRefused = "upstream-refused"
    /// The answer was ready but its audit record could not be committed: it was not sent.
    case notRecorded = "not-recorded"
    /// The client went away before the answer ended.
    case clientCancelled = "client-cancelled"

    /// A refusal before any host was asked: `blocked` when the policy blocked the content.
    static func refusal(_ error: GatewayError) -> ExchangeOutcome {
        error.kind == .policyBlocked ? .blocked : .refused
    }
}
