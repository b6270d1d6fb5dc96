/// What the translation needs to know about the host that will answer: which OpenAI-protocol
/// extensions it takes and reports.
package struct HostDialect: Sendable, Equatable {
    /// It accepts `top_k` (every engine that speaks OpenAI's protocol on premises; OpenAI's own
    /// API does not).
    package var acceptsTopK: Bool
    /// It names the stop string that ended generation (vLLM's `stop_reason`), so the gateway
    /// need not match stop sequences itself.
    package var reportsStopMatch: Bool

    package init(acceptsTopK: Bool, reportsStopMatch: Bool) {
        self.acceptsTopK = acceptsTopK
        self.reportsStopMatch = reportsStopMatch
    }
}
