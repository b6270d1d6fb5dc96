import JSONWire
import LocalLLM
import WireTranslation

extension AnthropicRequest {
    /// The request, validated; an invalid one is the client's 400 naming the field.
    init(validating body: JSONValue, requireMaxTokens: Bool) throws(GatewayError) {
        do {
            try self.init(body, requireMaxTokens: requireMaxTokens)
        } catch {
            throw GatewayError(.invalidRequest, error.message, param: error.param)
        }
    }
}

extension HostDialect {
    /// What hosts of a pool's kind take and report.
    init(_ kind: UpstreamPoolConfiguration.HostKind) {
        self.init(acceptsTopK: kind != .openai, reportsStopMatch: kind == .vllm)
    }
}
