/// Configuration of one pool of inference hosts, as `Appliance` hands it over.
///
/// Every field has a default; `Appliance` validates what it reads and names the offending key.
package struct UpstreamPoolConfiguration: Sendable, Equatable {
    /// What kind of server the pool's hosts run; it decides how they are health-checked.
    package enum HostKind: String, Sendable, CaseIterable {
        /// vLLM: `GET /health` answers 200 when the engine is up.
        case vllm
        /// llama.cpp `llama-server`: `GET /health` answers 503 while the model loads.
        case llamacpp
        /// Ollama: `GET /api/tags`.
        case ollama
        /// Hugging Face text-generation-inference: `GET /health`.
        case tgi
        /// Any other OpenAI-compatible server: `GET /v1/models`.
        case openai
        /// The built-in deterministic `echo` model; the pool has no hosts.
        case echo
    }

    /// How requests are tied to a host so that its KV cache can be reused.
    package enum Affinity: String, Sendable, CaseIterable {
        case none
        /// The caller's user (OpenAI `user`, Anthropic `metadata.user_id`, else the API key's user).
        case user
    }

    /// Which tokenizer endpoint the pool's hosts offer, for counting tokens locally.
    package enum Tokenizer: String, Sendable, CaseIterable {
        /// None: a documented conservative estimate is used.
        case none
        /// llama.cpp `llama-server`: `POST /apply-template`, then `POST /tokenize`.
        case llamacpp
        /// vLLM: `POST /tokenize` with the chat messages.
        case vllm
        /// llama-cpp-python's server: `POST /extras/tokenize/count`.
        case llamaCppPython = "llama_cpp_python"

        package static func `default`(for kind: HostKind) -> Tokenizer {
            switch kind {
            case .llamacpp: .llamacpp
            case .vllm: .vllm
            default: .none
            }
        }
    }

    /// How a pool answers Anthropic Messages requests.
    package enum MessagesAPI: String, Sendable, CaseIterable {
        /// Translate to the host's OpenAI chat-completions endpoint and back.
        case translate
        /// The host speaks Anthropic Messages itself (`POST {base}/messages`): pass through.
        case native
    }

    package var name: String
    package var kind: HostKind
    package var tokenizer: Tokenizer
    package var messagesAPI: MessagesAPI
    package var hosts: [UpstreamHostConfiguration]
    package var affinity: Affinity
    package var health: HealthCheckConfiguration
    package var breaker: CircuitBreaker.Configuration
    /// How many hosts one request may try before it gives up (failover before the first byte).
    package var maxAttempts: Int
    /// Requests that wait when every usable host is at `max_concurrent`.
    package var queue: AdmissionConfiguration

    package init(
        name: String,
        kind: HostKind = .openai,
        tokenizer: Tokenizer? = nil,
        messagesAPI: MessagesAPI = .translate,
        hosts: [UpstreamHostConfiguration] = [],
        affinity: Affinity = .none,
        health: HealthCheckConfiguration = .init(),
        breaker: CircuitBreaker.Configuration = .init(),
        maxAttempts: Int = 3,
        queue: AdmissionConfiguration = .init()
    ) {
        self.name = name
        self.kind = kind
        self.tokenizer = tokenizer ?? .default(for: kind)
        self.messagesAPI = messagesAPI
        self.hosts = hosts
        self.affinity = affinity
        self.health = health
        self.breaker = breaker
        self.maxAttempts = maxAttempts
        self.queue = queue
    }
}

/// The queue in front of a pool whose usable hosts are all full: how many requests may wait,
/// and for how long, before they are refused with 503 and `Retry-After`.
package struct AdmissionConfiguration: Sendable, Equatable {
    /// Waiting requests at most (0: no queue, refuse at once as soon as the hosts are full).
    package var depth: Int
    /// How long one request waits for a slot.
    package var wait: Duration

    package init(depth: Int = 256, wait: Duration = .seconds(10)) {
        self.depth = depth
        self.wait = wait
    }
}

/// One inference host inside a pool.
package struct UpstreamHostConfiguration: Sendable, Equatable {
    /// Base URL as an OpenAI client takes it, e.g. `http://10.0.0.5:8000/v1`.
    package var baseURL: String
    /// Optional bearer key the host expects. Never logged.
    package var apiKey: String?
    package var weight: Int
    /// Requests in flight to this host at once; the pool's admission queue holds the rest.
    package var maxConcurrent: Int
    /// The largest `max_concurrent` a configuration may set (the HTTP client's own connection
    /// limit per host is this, so `max_concurrent` is the only limit that counts).
    package static let maxConcurrentLimit = 100_000

    package init(baseURL: String, apiKey: String? = nil, weight: Int = 1, maxConcurrent: Int = 64) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.weight = weight
        self.maxConcurrent = maxConcurrent
    }

    /// The server root: the base URL without a trailing `/v1`, where health endpoints live.
    package var rootURL: String {
        baseURL.hasSuffix("/v1") ? String(baseURL.dropLast(3)) : baseURL
    }
}

/// Active health probing of a pool's hosts.
package struct HealthCheckConfiguration: Sendable, Equatable {
    package var interval: Duration
    package var timeout: Duration
    /// Consecutive failed probes before a host is taken out of rotation.
    package var unhealthyAfter: Int
    /// Overrides the probe path the host kind implies (relative to the server root).
    package var path: String?

    package init(interval: Duration = .seconds(5), timeout: Duration = .seconds(2), unhealthyAfter: Int = 2, path: String? = nil) {
        self.interval = interval
        self.timeout = timeout
        self.unhealthyAfter = unhealthyAfter
        self.path = path
    }
}

/// Timeouts for calls to inference hosts.
package struct UpstreamTimeouts: Sendable, Equatable {
    /// TCP connect.
    package var connect: Duration
    /// From sending the request to the response head (covers prompt processing).
    package var firstByte: Duration
    /// Longest silence between two chunks of a response body.
    package var idle: Duration
    /// Whole request, body included.
    package var total: Duration
    /// Silence after which a stream gets a keep-alive (Anthropic `ping`) so clients and proxies
    /// do not give up on a slow host.
    package var keepAlive: Duration

    package init(
        connect: Duration = .seconds(5),
        firstByte: Duration = .seconds(120),
        idle: Duration = .seconds(60),
        total: Duration = .seconds(600),
        keepAlive: Duration = .seconds(10)
    ) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
        self.total = total
        self.keepAlive = keepAlive
    }
}
