package import HTTPTypes

extension HTTPField.Name {
    /// The gateway's request id, returned on every response for support and audit look-ups.
    package static let requestID = HTTPField.Name("x-request-id")!
    package static let apiKey = HTTPField.Name("x-api-key")!
    package static let anthropicVersion = HTTPField.Name("anthropic-version")!
    /// On `count_tokens`: `host` (the host's tokenizer) or `estimate` (conservative, never under).
    package static let tokenCountSource = HTTPField.Name("x-tappass-token-count")!
}
