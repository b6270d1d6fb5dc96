/// What an active health probe asks each kind of host, and how it reads the answer.
package struct HealthProbe: Sendable, Equatable {
    package var path: String

    package init(kind: UpstreamPoolConfiguration.HostKind, overridePath: String? = nil) {
        if let overridePath {
            self.path = overridePath.hasPrefix("/") ? overridePath : "/" + overridePath
            return
        }
        switch kind {
        case .vllm, .llamacpp, .tgi: self.path = "/health"
        case .ollama: self.path = "/api/tags"
        case .openai, .echo: self.path = "/v1/models"
        }
    }

    /// Reads a probe's HTTP status. llama.cpp answers 503 while it loads a model: that host is
    /// alive but not ready, so it is held back without counting as a failure.
    package static func health(forStatus status: Int, kind: UpstreamPoolConfiguration.HostKind) -> UpstreamHost.Health {
        switch status {
        case 200..<300: return .healthy
        case 503 where kind == .llamacpp || kind == .tgi: return .loading
        default: return .down
        }
    }
}
