package import AsyncHTTPClient
package import Logging
package import NIOCore
import NIOHTTP1

/// Sends OpenAI-compatible requests to a pool's hosts, failing over to another host as long as
/// nothing has reached the client yet: refused connection, 502/503/504, or no response head in
/// time. Once a response head with any other status arrives, that host's answer is final.
package struct UpstreamClient: Sendable {
    package let http: HTTPClient
    package let timeouts: UpstreamTimeouts

    package init(http: HTTPClient, timeouts: UpstreamTimeouts) {
        self.http = http
        self.timeouts = timeouts
    }

    /// Makes the HTTP client the appliance uses for inference hosts.
    package static func makeHTTPClient(timeouts: UpstreamTimeouts) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: timeouts.connect.timeAmount)
        // The pools' admission (`max_concurrent` per host) limits connections; a lower limit here
        // would make requests past it wait for a connection unseen and fail as `connect_failed`
        // (it was 256: the 257th concurrent stream to one host could not start).
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: UpstreamHostConfiguration.maxConcurrentLimit
        )
        // A refused connection must fail at once so the request can fail over to another host;
        // AsyncHTTPClient would otherwise retry with backoff until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        // No distributed tracing here: the default no-op tracer still builds a span and its
        // attributes (URL, method, body size) for every request.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// POSTs `body` to `path` (relative to each host's base URL, e.g. `/chat/completions`).
    package func post(
        path: String,
        body: ByteBuffer,
        pool: UpstreamPool,
        affinityKey: String?,
        streaming: Bool,
        logger: Logger
    ) async throws(UpstreamError) -> UpstreamReply {
        var tried: Set<Int> = []
        var lastError: UpstreamError?
        let attempts = max(1, min(pool.configuration.maxAttempts, pool.hosts.count))
        while tried.count < attempts {
            let lease: UpstreamPool.Lease
            switch await pool.admit(affinityKey: affinityKey, excluding: tried) {
            case .lease(let claimed):
                lease = claimed
            case .unavailable:
                throw lastError
                    ?? UpstreamError(.noAvailableHost, "no host of pool '\(pool.name)' is available (all down or open circuit)")
            case .queueFull:
                throw UpstreamError(
                    .queueFull,
                    "every host of pool '\(pool.name)' is busy and \(pool.configuration.queue.depth) requests are already waiting"
                )
            case .timedOut:
                if Task.isCancelled { throw UpstreamError(.connectFailed, "request cancelled") }
                throw UpstreamError(.queueTimeout, "every host of pool '\(pool.name)' stayed busy for \(pool.configuration.queue.wait)")
            }
            tried.insert(lease.index)
            do {
                return try await attempt(path: path, body: body, lease: lease, streaming: streaming)
            } catch {
                lastError = error
                logger.warning(
                    "upstream attempt failed",
                    metadata: [
                        "upstream.id": "\(lease.host.id)", "upstream.error": "\(error.code.rawValue)",
                        "upstream.status": "\(error.status.map(String.init) ?? "-")",
                    ]
                )
                if Task.isCancelled { throw error }
            }
        }
        throw lastError ?? UpstreamError(.noAvailableHost, "no host of pool '\(pool.name)' is available")
    }

    private func attempt(
        path: String,
        body: ByteBuffer,
        lease: UpstreamPool.Lease,
        streaming: Bool
    ) async throws(UpstreamError) -> UpstreamReply {
        let host = lease.host
        var request = HTTPClientRequest(url: host.configuration.baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: streaming ? "text/event-stream" : "application/json")
        if let key = host.configuration.apiKey {
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
        }
        request.body = .bytes(body)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .now() + timeouts.firstByte.timeAmount)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            lease.finish(.failure)
            throw UpstreamError(.firstByteTimeout, "host \(host.id) sent no response within \(timeouts.firstByte)", hostID: host.id)
        } catch is CancellationError {
            lease.finish(.neutral)
            throw UpstreamError(.connectFailed, "request cancelled", hostID: host.id)
        } catch let error as HTTPClientError where error == .cancelled {
            lease.finish(.neutral)
            throw UpstreamError(.connectFailed, "request cancelled", hostID: host.id)
        } catch {
            lease.finish(.failure)
            throw UpstreamError(.connectFailed, "could not reach host \(host.id): \(error)", hostID: host.id)
        }
        let status = Int(response.status.code)
        if [502, 503, 504].contains(status) {
            let detail = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
            lease.finish(.failure)
            throw UpstreamError(.badStatus, "host \(host.id) answered \(status) \(Self.brief(detail))", hostID: host.id, status: status)
        }
        return UpstreamReply(
            status: status,
            contentType: response.headers.first(name: "content-type"),
            body: .http(response.body),
            hostID: host.id,
            lease: lease
        )
    }

    /// First line of an upstream error body, bounded, for the client's error message.
    static func brief(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 300 ? String(line.prefix(300)) + "…" : line
    }
}
