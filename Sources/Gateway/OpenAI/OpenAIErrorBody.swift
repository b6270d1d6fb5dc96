import Foundation
import Hummingbird
import NIOFoundationEssentialsCompat

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
            body: .init(byteBuffer: ByteBuffer(data: json(error, type: type, code: code)))
        )
    }

    static func typeAndCode(_ error: GatewayError) -> (String, String?) {
        switch error.kind {
        case .invalidRequest: ("invalid_request_error", nil)
        case .authentication: ("invalid_request_error", "invalid_api_key")
        case .permission: ("permission_error", "model_not_allowed")
        case .modelNotFound: ("invalid_request_error", "model_not_found")
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
        buffer.writeData(json(error, type: error.kind == .policyBlocked ? type : "server_error", code: code))
        buffer.writeString("\n\n")
        return buffer
    }

    private static func json(_ error: GatewayError, type: String, code: String?) -> Data {
        struct Body: Encodable {
            struct Detail: Encodable {
                var message: String
                var type: String
                var param: String?
                var code: String?

                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encode(message, forKey: .message)
                    try container.encode(type, forKey: .type)
                    try container.encode(param, forKey: .param)
                    try container.encode(code, forKey: .code)
                }

                enum CodingKeys: String, CodingKey { case message, type, param, code }
            }
            var error: Detail
        }
        return (try? JSONEncoder().encode(Body(error: .init(message: error.message, type: type, param: error.param, code: code)))) ?? Data()
    }
}
