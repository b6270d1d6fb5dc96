package import Governance

extension GatewayError {
    /// A policy block as the client sees it: 403, naming the category and type (and for a
    /// request the field), never the value.
    package init(_ block: PolicyBlock) {
        self.init(.policyBlocked, block.message, param: block.path)
    }

    /// A quota refusal: 429, with `Retry-After` when waiting helps.
    package init(_ refusal: QuotaExceeded) {
        self.init(.rateLimited, refusal.message)
        retryAfter = refusal.retryAfter.map(Int.init)
    }
}
