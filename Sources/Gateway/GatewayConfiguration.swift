package import Audit
import ConfigFile
package import Governance
package import LocalLLM

/// Everything the gateway needs, handed over by `Appliance` after it read and validated the file.
package struct GatewayConfiguration: Sendable {
    package struct Listen: Sendable, Equatable {
        package var host: String
        package var port: Int
        /// PEM certificate chain and private key; both or neither.
        package var tlsCertificatePath: String?
        package var tlsKeyPath: String?
        /// A new connection's first request head must arrive within this.
        package var headerTimeout: Duration = .seconds(15)
        /// A request body must arrive whole within this of its head.
        package var bodyTimeout: Duration = .seconds(60)
        /// A kept-alive connection may be silent this long between requests.
        package var idleTimeout: Duration = .seconds(75)
        /// Open client connections at most; a connection beyond gets a 503 and is closed.
        package var maxConnections = 16_384

        package init(host: String = "127.0.0.1", port: Int = 8443, tlsCertificatePath: String? = nil, tlsKeyPath: String? = nil) {
            self.host = host
            self.port = port
            self.tlsCertificatePath = tlsCertificatePath
            self.tlsKeyPath = tlsKeyPath
        }
    }

    package struct Limits: Sendable, Equatable {
        package var maxBodyBytes: Int
        package var maxJSONDepth: Int
        /// How long a stop (SIGTERM) lets requests and streams in flight finish before it cuts them.
        package var drainTimeout: Duration
        /// The most answers one request may ask for (OpenAI `n`): each is a whole generation on
        /// the host and a stream the gateway filters, so one request must not ask for thousands.
        package var maxChoices: Int

        package init(maxBodyBytes: Int = 4 << 20, maxJSONDepth: Int = 64, drainTimeout: Duration = .seconds(30), maxChoices: Int = 8) {
            self.maxBodyBytes = maxBodyBytes
            self.maxJSONDepth = maxJSONDepth
            self.drainTimeout = drainTimeout
            self.maxChoices = maxChoices
        }
    }

    package var listen: Listen
    package var stateDirectory: String
    package var adminSocketPath: String
    package var limits: Limits
    package var timeouts: UpstreamTimeouts
    package var pools: [UpstreamPoolConfiguration]
    package var models: [ModelRoute]
    /// A fixed key accepted without a database entry; set only in demo mode.
    package var demoKey: String?
    package var echoWordDelay: Duration
    package var audit: AuditSettings
    package var governance: GovernanceSettings

    package init(
        listen: Listen = .init(),
        stateDirectory: String = "/var/lib/tappass",
        adminSocketPath: String = "/run/tappass/admin.sock",
        limits: Limits = .init(),
        timeouts: UpstreamTimeouts = .init(),
        pools: [UpstreamPoolConfiguration] = [],
        models: [ModelRoute] = [],
        demoKey: String? = nil,
        echoWordDelay: Duration = .milliseconds(20),
        audit: AuditSettings = .init(),
        governance: GovernanceSettings = .init()
    ) {
        self.listen = listen
        self.stateDirectory = stateDirectory
        self.adminSocketPath = adminSocketPath
        self.limits = limits
        self.timeouts = timeouts
        self.pools = pools
        self.models = models
        self.demoKey = demoKey
        self.echoWordDelay = echoWordDelay
        self.audit = audit
        self.governance = governance
    }
}

/// Maps a public model name (or a glob such as `claude-*`) to a pool and the host's model name.
package struct ModelRoute: Sendable, Equatable {
    package var pattern: String
    package var pool: String
    /// The model name the host knows; nil keeps the name the client asked for.
    package var upstreamModel: String?

    package init(pattern: String, pool: String, upstreamModel: String? = nil) {
        self.pattern = pattern
        self.pool = pool
        self.upstreamModel = upstreamModel
    }

    package var isGlob: Bool { NamePattern.isGlob(pattern) }
}
