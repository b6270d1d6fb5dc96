import Hummingbird
import JSONWire
import NIOCore

/// OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`, which the SDKs turn
/// into their own exception classes by status code.
enum OpenAIErrorBody {
    static func response(for error: GatewayError) -> Response {
        let (type, code) = typeAndCode(error)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(
            status: .init(code: error.status),
            headers: headers,
            body: .init(byteBuffer: json(error, type: type, code: code))
        )
    }

    static func typeAndCode(_ error: GatewayError) -> (String, String?) {
        switch error.kind {
        case .invalidRequest: ("invalid_request_error", nil)
        case .authentication: ("invalid_request_error", "invalid_api_key")
        case .permission: ("permission_error", "model_not_allowed")
        case .modelNotFound: ("invalid_request_error", "model_not_found")
        case .notFound: ("invalid_request_error", nil)
        case .tooLarge: ("invalid_request_error", "request_too_large")
        case .rateLimited: ("rate_limit_error", "rate_limit_exceeded")
        case .upstreamUnavailable: ("server_error", "upstream_unavailable")
        case .upstreamFailed: ("server_error", "upstream_error")
        case .upstreamTimeout: ("server_error", "upstream_timeout")
        case .governanceUnavailable: ("server_error", "governance_unavailable")
        case .licenseRequired: ("server_error", "license_required")
        case .policyBlocked: ("permission_error", "policy_violation")
        case .seatUnavailable: ("permission_error", "license_seat_unavailable")
        case .internal: ("server_error", nil)
        }
    }

    /// The same error as one SSE `data:` event, for failures after a stream has started
    /// (the OpenAI SDKs raise `APIError` on a chunk that carries `error`).
    static func streamEvent(for error: GatewayError) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        let (type, code) = typeAndCode(error)
        var body = json(error, type: error.kind == .policyBlocked ? type : "server_error", code: code)
        buffer.writeBuffer(&body)
        buffer.writeString("\n\n")
        return buffer
    }

    /// `{"error":{"message":…,"type":…,"param":…,"code":…}}`, in that order, absent values as
    /// `null` (as OpenAI writes it).
    /// The body alone, for callers below the router (the HTTP parser's refusals).
    static func body(for error: GatewayError) -> ByteBuffer {
        let (type, code) = typeAndCode(error)
        return json(error, type: type, code: code)
    }

    private static func json(_ error: GatewayError, type: String, code: String?) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString(#"{"error":{"message":"#)
        JSONValue.writeString(error.message, to: &buffer)
        buffer.writeStaticString(#","type":"#)
        JSONValue.writeString(type, to: &buffer)
        buffer.writeStaticString(#","param":"#)
        if let param = error.param { JSONValue.writeString(param, to: &buffer) } else { buffer.writeStaticString("null") }
        buffer.writeStaticString(#","code":"#)
        if let code { JSONValue.writeString(code, to: &buffer) } else { buffer.writeStaticString("null") }
        buffer.writeStaticString("}}")
        return buffer
    }
}
