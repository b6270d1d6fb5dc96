import Foundation

/// How the mock inference host behaves; changed at run time with `POST /_mock/behavior`.
public struct MockUpstreamBehavior: Codable, Sendable, Equatable {
    /// Status to answer every chat/embeddings call with (200 = normal).
    public var status: Int = 200
    /// Delay before the response head.
    public var latencyMs: Int = 0
    /// Delay between streamed chunks.
    public var chunkDelayMs: Int = 0
    /// Close the connection after this many streamed chunks (a host dying mid-stream).
    public var disconnectAfterChunks: Int?
    /// Send an SSE keep-alive comment before the first chunk.
    public var keepAliveComment: Bool = false
    /// Answer `/health` with this status.
    public var healthStatus: Int = 200
    /// With `tool_choice: required`, call the first two tools in one turn.
    public var parallelToolCalls: Bool = false
    /// Repeat each tool call's id and name in every streamed delta, as llama.cpp does.
    public var repeatToolIdentity: Bool = false
    /// Words of the completion (the reply text is these joined by spaces).
    public var replyWords: [String] = ["Hello", "from", "the", "mock", "host."]
    /// Exact streamed pieces instead of words (the reply text is these joined as they are):
    /// to split a value across chunks at a chosen offset.
    public var replyChunks: [String]?

    /// The streamed content pieces.
    public var replyPieces: [String] {
        replyChunks ?? replyWords.enumerated().map { $0.offset == 0 ? $0.element : " " + $0.element }
    }

    public init() {}

    enum CodingKeys: String, CodingKey {
        case status
        case latencyMs = "latency_ms"
        case chunkDelayMs = "chunk_delay_ms"
        case disconnectAfterChunks = "disconnect_after_chunks"
        case keepAliveComment = "keep_alive_comment"
        case healthStatus = "health_status"
        case replyWords = "reply_words"
        case replyChunks = "reply_chunks"
        case parallelToolCalls = "parallel_tool_calls"
        case repeatToolIdentity = "repeat_tool_identity"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = MockUpstreamBehavior()
        status = try container.decodeIfPresent(Int.self, forKey: .status) ?? defaults.status
        latencyMs = try container.decodeIfPresent(Int.self, forKey: .latencyMs) ?? defaults.latencyMs
        chunkDelayMs = try container.decodeIfPresent(Int.self, forKey: .chunkDelayMs) ?? defaults.chunkDelayMs
        disconnectAfterChunks = try container.decodeIfPresent(Int.self, forKey: .disconnectAfterChunks)
        keepAliveComment = try container.decodeIfPresent(Bool.self, forKey: .keepAliveComment) ?? defaults.keepAliveComment
        healthStatus = try container.decodeIfPresent(Int.self, forKey: .healthStatus) ?? defaults.healthStatus
        replyWords = try container.decodeIfPresent([String].self, forKey: .replyWords) ?? defaults.replyWords
        replyChunks = try container.decodeIfPresent([String].self, forKey: .replyChunks)
        parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls) ?? false
        repeatToolIdentity = try container.decodeIfPresent(Bool.self, forKey: .repeatToolIdentity) ?? false
    }
}

/// What the mock has seen, for assertions: `GET /_mock/stats`.
public struct MockUpstreamStats: Codable, Sendable, Equatable {
    public var requests = 0
    public var healthChecks = 0
    public var completedStreams = 0
    public var cancelledStreams = 0
    /// The last chat or embeddings request body, as received.
    public var lastRequest: String?
    public var lastAuthorization: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case requests
        case healthChecks = "health_checks"
        case completedStreams = "completed_streams"
        case cancelledStreams = "cancelled_streams"
        case lastRequest = "last_request"
        case lastAuthorization = "last_authorization"
    }
}
