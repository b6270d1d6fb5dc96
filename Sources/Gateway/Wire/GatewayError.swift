package import LocalLLM

/// A refusal or failure to show the client, rendered in the caller's wire format.
package struct GatewayError: Error, Sendable, Equatable {
    package enum Kind: String, Sendable {
        case invalidRequest
        case authentication
        case permission
        case modelNotFound
        /// No such endpoint (the router's 404).
        case notFound
        case tooLarge
        case rateLimited
        case upstreamUnavailable
        case upstreamFailed
        case upstreamTimeout
        /// Governance state (the audit log) cannot be written: fail closed.
        case governanceUnavailable
        /// The appliance has no valid license (evaluation ended, license expired): fail closed.
        case licenseRequired
        /// The license's seats are all held by other users (after the grace period).
        case seatUnavailable
        /// The policy blocks this content (request or response).
        case policyBlocked
        case `internal`
    }

    package var kind: Kind
    package var message: String
    /// The request field at fault, if one is.
    package var param: String?
    /// The status to use instead of the kind's default (an upstream 4xx passed on as is).
    package var statusOverride: Int?
    /// Seconds until a quota window opens again (429s).
    package var retryAfter: Int?

    package init(_ kind: Kind, _ message: String, param: String? = nil, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.param = param
        self.statusOverride = status
    }

    package var status: Int {
        if let statusOverride { return statusOverride }
        switch kind {
        case .invalidRequest: return 400
        case .authentication: return 401
        case .permission, .policyBlocked, .seatUnavailable: return 403
        case .modelNotFound, .notFound: return 404
        case .tooLarge: return 413
        case .rateLimited: return 429
        case .upstreamFailed: return 502
        case .upstreamUnavailable, .governanceUnavailable, .licenseRequired: return 503
        case .upstreamTimeout: return 504
        case .internal: return 500
        }
    }

    package init(_ error: UpstreamError) {
        switch error.code {
        case .noAvailableHost: self.init(.upstreamUnavailable, "No inference host is available: \(error.message)")
        case .queueFull, .queueTimeout:
            self.init(.upstreamUnavailable, "The inference hosts are busy: \(error.message). Try again shortly.")
            retryAfter = 1
        case .firstByteTimeout, .idleTimeout, .totalTimeout: self.init(.upstreamTimeout, "The inference host timed out: \(error.message)")
        case .connectFailed, .badStatus, .streamInterrupted: self.init(.upstreamFailed, "The inference host failed: \(error.message)")
        }
    }
}
