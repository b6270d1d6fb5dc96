package import AsyncHTTPClient
package import NIOCore

/// The body of an answer from an inference host or from a built-in model, as one sequence type.
package struct ReplyBody: AsyncSequence, Sendable {
    package typealias Element = ByteBuffer

    enum Source: Sendable {
        case http(HTTPClientResponse.Body)
        case stream(AsyncThrowingStream<ByteBuffer, any Error>)
        case buffer(ByteBuffer)
    }

    let source: Source

    package static func http(_ body: HTTPClientResponse.Body) -> ReplyBody { .init(source: .http(body)) }
    package static func stream(_ stream: AsyncThrowingStream<ByteBuffer, any Error>) -> ReplyBody { .init(source: .stream(stream)) }
    package static func buffer(_ buffer: ByteBuffer) -> ReplyBody { .init(source: .buffer(buffer)) }

    package struct AsyncIterator: AsyncIteratorProtocol {
        enum Inner {
            case http(HTTPClientResponse.Body.AsyncIterator)
            case stream(AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator)
            case buffer(ByteBuffer?)
        }

        var inner: Inner

        package mutating func next() async throws -> ByteBuffer? {
            switch inner {
            case .http(var iterator):
                let chunk = try await iterator.next()
                inner = .http(iterator)
                return chunk
            case .stream(var iterator):
                let chunk = try await iterator.next()
                inner = .stream(iterator)
                return chunk
            case .buffer(let buffer):
                inner = .buffer(nil)
                return buffer
            }
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .http(let body): AsyncIterator(inner: .http(body.makeAsyncIterator()))
        case .stream(let stream): AsyncIterator(inner: .stream(stream.makeAsyncIterator()))
        case .buffer(let buffer): AsyncIterator(inner: .buffer(buffer))
        }
    }

    /// Collects the whole body, refusing more than `maxBytes`.
    package func collect(upTo maxBytes: Int) async throws -> ByteBuffer {
        var result = ByteBuffer()
        for try await var chunk in self {
            guard result.readableBytes + chunk.readableBytes <= maxBytes else { throw NIOTooManyBytesError(maxBytes: maxBytes) }
            result.writeBuffer(&chunk)
        }
        return result
    }
}

/// An answer whose head has arrived: status, content type and a body still to be read.
package struct UpstreamReply: Sendable {
    package var status: Int
    package var contentType: String?
    package var body: ReplyBody
    /// The host that answered (`echo` for the built-in model).
    package var hostID: String
    /// The host slot to release once the body is done; nil for built-in models.
    package var lease: UpstreamPool.Lease?

    package init(status: Int, contentType: String?, body: ReplyBody, hostID: String, lease: UpstreamPool.Lease?) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.hostID = hostID
        self.lease = lease
    }

    /// Releases the host slot with the given outcome. Safe to call on built-in replies.
    package func finish(_ outcome: UpstreamHost.Outcome) {
        lease?.finish(outcome)
    }
}
