import Foundation
import Hummingbird
import JSONWire
import LocalLLM
import NIOFoundationEssentialsCompat
import WireTranslation

/// Anthropic's error shape: `{"type": "error", "error": {"type": …, "message": …}}` with the
/// status codes the Anthropic SDKs map to their own exception classes.
enum AnthropicErrorBody {
    static func type(for error: GatewayError) -> String {
        switch error.kind {
        case .invalidRequest: "invalid_request_error"
        case .authentication: "authentication_error"
        case .permission, .policyBlocked, .seatUnavailable: "permission_error"
        case .modelNotFound, .notFound: "not_found_error"
        case .tooLarge: "request_too_large"
        case .rateLimited: "rate_limit_error"
        case .upstreamUnavailable: "overloaded_error"
        case .upstreamFailed, .upstreamTimeout, .governanceUnavailable, .licenseRequired, .internal: "api_error"
        }
    }

    /// Anthropic signals "no capacity" with 529; other kinds keep the gateway's status.
    static func status(for error: GatewayError) -> Int {
        error.kind == .upstreamUnavailable ? 529 : error.status
    }

    static func json(_ error: GatewayError) -> JSONValue {
        ["type": "error", "error": ["type": .string(type(for: error)), "message": .string(error.message)]]
    }

    static func response(for error: GatewayError, requestID: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.requestID] = requestID
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(
            status: .init(code: status(for: error)),
            headers: headers,
            body: .init(byteBuffer: GatewayRuntime.encode(json(error)))
        )
    }

    /// The same error as an `event: error` for failures after the stream has started.
    static func streamEvent(for error: GatewayError) -> ByteBuffer {
        AnthropicEvent(name: "error", data: json(error)).encoded
    }
}
