/// Why a call to the inference hosts failed before the gateway could answer from them.
package struct UpstreamError: Error, Sendable, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// No host of the pool is healthy and closed-breaker.
        case noAvailableHost = "no_available_host"
        /// Every usable host is at `max_concurrent` and the pool's queue is at its depth.
        case queueFull = "queue_full"
        /// Every usable host stayed at `max_concurrent` for the queue's whole wait.
        case queueTimeout = "queue_timeout"
        /// Connection refused, reset or failed TLS.
        case connectFailed = "connect_failed"
        /// The host sent no response head within the first-byte timeout.
        case firstByteTimeout = "first_byte_timeout"
        /// Silence between two body chunks exceeded the idle timeout.
        case idleTimeout = "idle_timeout"
        /// The whole request exceeded the total timeout.
        case totalTimeout = "total_timeout"
        /// The host answered 5xx.
        case badStatus = "bad_status"
        /// The connection broke while the body was streaming.
        case streamInterrupted = "stream_interrupted"
    }

    package var code: Code
    package var message: String
    package var hostID: String?
    package var status: Int?

    package init(_ code: Code, _ message: String, hostID: String? = nil, status: Int? = nil) {
        self.code = code
        self.message = message
        self.hostID = hostID
        self.status = status
    }

    /// The HTTP status the client is given.
    package var clientStatus: Int {
        switch code {
        case .noAvailableHost, .queueFull, .queueTimeout: 503
        case .firstByteTimeout, .idleTimeout, .totalTimeout: 504
        case .connectFailed, .badStatus, .streamInterrupted: 502
        }
    }

    package var description: String { "\(code.rawValue): \(message)" }
}
