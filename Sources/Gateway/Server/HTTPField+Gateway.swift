package import HTTPTypes

extension HTTPField.Name {
    /// The gateway's request id, returned on every response for support and audit look-ups.
    package static let requestID = HTTPField.Name("x-request-id")!
    package static let apiKey = HTTPField.Name("x-api-key")!
}
