import Audit
import ConfigFile
import Foundation
import Gateway
import Governance
import LocalLLM
import Logging

/// Walks the YAML tree into an `ApplianceConfiguration`, validating as it goes.
struct ConfigurationReader {
    let file: String

    func read(_ root: ConfigNode, into configuration: inout ApplianceConfiguration) throws {
        let top = try root.mapping(allowed: [
            "listen", "state_dir", "admin_socket", "log_level", "limits", "upstreams", "models", "audit", "governance",
        ])
        var gateway = configuration.gateway
        if let listen = top["listen"] { gateway.listen = try readListen(listen) }
        if let stateDir = top["state_dir"] { gateway.stateDirectory = try stateDir.string() }
        if let socket = top["admin_socket"] {
            gateway.adminSocketPath = try socket.string()
            guard gateway.adminSocketPath.utf8.count < 104 else {
                throw socket.problem("a Unix socket path must be shorter than 104 bytes")
            }
        }
        if let level = top["log_level"] {
            let text = try level.string()
            guard let value = Logger.Level(rawValue: text) else {
                throw level.problem("expected one of trace, debug, info, notice, warning, error, critical, got '\(text)'")
            }
            configuration.logLevel = value
        }
        if let limits = top["limits"] { try readLimits(limits, into: &gateway) }
        if let audit = top["audit"] { gateway.audit = try readAudit(audit) }
        if let governance = top["governance"] { gateway.governance = try readGovernance(governance) }
        if let upstreams = top["upstreams"] {
            gateway.pools = try upstreams.namedEntries().map { name, node in try readPool(name: name, node) }
        }
        if !gateway.pools.contains(where: { $0.name == "echo" }) {
            gateway.pools.append(UpstreamPoolConfiguration(name: "echo", kind: .echo))
        }
        if let models = top["models"] {
            let poolNames = Set(gateway.pools.map(\.name))
            gateway.models = try models.sequence().map { try readModel($0, pools: poolNames) }
        }
        configuration.gateway = gateway
    }

    private func readListen(_ node: ConfigNode) throws -> GatewayConfiguration.Listen {
        let entries = try node.mapping(allowed: [
            "address", "port", "tls", "header_timeout", "body_timeout", "idle_timeout", "max_connections",
        ])
        var listen = GatewayConfiguration.Listen()
        if let address = entries["address"] { listen.host = try address.string() }
        if let port = entries["port"] { listen.port = try port.int(in: 0...65535) }
        if let value = entries["header_timeout"] { listen.headerTimeout = try value.duration() }
        if let value = entries["body_timeout"] { listen.bodyTimeout = try value.duration() }
        if let value = entries["idle_timeout"] { listen.idleTimeout = try value.duration() }
        if let value = entries["max_connections"] { listen.maxConnections = try value.int(in: 1...1_000_000) }
        if let tls = entries["tls"] {
            let files = try tls.mapping(allowed: ["certificate", "key"])
            guard let certificate = files["certificate"], let key = files["key"] else {
                throw tls.problem(.missingKey, "TLS needs both 'certificate' and 'key' (PEM files)")
            }
            listen.tlsCertificatePath = try existingFile(certificate)
            listen.tlsKeyPath = try existingFile(key)
        }
        return listen
    }

    private func readLimits(_ node: ConfigNode, into gateway: inout GatewayConfiguration) throws {
        let entries = try node.mapping(allowed: ["max_body_bytes", "max_json_depth", "max_choices", "drain_timeout", "timeouts"])
        if let bytes = entries["max_body_bytes"] { gateway.limits.maxBodyBytes = try bytes.int(in: 1024...(1 << 30)) }
        if let drain = entries["drain_timeout"] { gateway.limits.drainTimeout = try drain.duration() }
        if let depth = entries["max_json_depth"] { gateway.limits.maxJSONDepth = try depth.int(in: 2...1000) }
        if let choices = entries["max_choices"] { gateway.limits.maxChoices = try choices.int(in: 1...128) }
        if let timeouts = entries["timeouts"] {
            let values = try timeouts.mapping(allowed: ["connect", "first_byte", "idle", "total", "keepalive"])
            if let value = values["connect"] { gateway.timeouts.connect = try value.duration() }
            if let value = values["first_byte"] { gateway.timeouts.firstByte = try value.duration() }
            if let value = values["idle"] { gateway.timeouts.idle = try value.duration() }
            if let value = values["total"] { gateway.timeouts.total = try value.duration() }
            if let value = values["keepalive"] { gateway.timeouts.keepAlive = try value.duration() }
        }
    }

    private func readAudit(_ node: ConfigNode) throws -> AuditSettings {
        let entries = try node.mapping(allowed: ["path", "durability", "fsync", "checkpoint_every", "checkpoint_interval"])
        var audit = AuditSettings()
        if let path = entries["path"] { audit.path = try path.string() }
        if let durability = entries["durability"] { audit.durability = try durability.oneOf(AuditSettings.Durability.self) }
        if let fsync = entries["fsync"] { audit.fsync = try fsync.bool() }
        if let every = entries["checkpoint_every"] { audit.checkpointEvery = try every.int(in: 1...10_000_000) }
        if let interval = entries["checkpoint_interval"] { audit.checkpointInterval = try interval.duration() }
        return audit
    }

    private func readGovernance(_ node: ConfigNode) throws -> GovernanceSettings {
        let entries = try node.mapping(allowed: ["enabled", "policy_file", "stream_window", "bundle_inbox"])
        var governance = GovernanceSettings()
        if let enabled = entries["enabled"] { governance.enabled = try enabled.bool() }
        if let file = entries["policy_file"] {
            // Its content is validated by `serve` and `config check` (a bad policy stops the
            // start, named), not here: `policy reload` must reach the service to be refused there.
            governance.policyFile = try existingFile(file)
        }
        if let window = entries["stream_window"] { governance.streamWindow = try window.int(in: 16...65536) }
        if let inbox = entries["bundle_inbox"] {
            let path = try inbox.string()
            guard path.hasPrefix("/") else { throw inbox.problem("expected an absolute path to a folder, got '\(path)'") }
            governance.bundleInbox = path
        }
        return governance
    }

    private func readPool(name: String, _ node: ConfigNode) throws -> UpstreamPoolConfiguration {
        let entries = try node.mapping(allowed: [
            "kind", "hosts", "affinity", "health", "breaker", "max_attempts", "tokenizer", "messages_api", "queue",
        ])
        var pool = UpstreamPoolConfiguration(name: name)
        if let kind = entries["kind"] {
            pool.kind = try kind.oneOf(UpstreamPoolConfiguration.HostKind.self)
            pool.tokenizer = .default(for: pool.kind)
        }
        if let tokenizer = entries["tokenizer"] { pool.tokenizer = try tokenizer.oneOf(UpstreamPoolConfiguration.Tokenizer.self) }
        if let api = entries["messages_api"] { pool.messagesAPI = try api.oneOf(UpstreamPoolConfiguration.MessagesAPI.self) }
        if let affinity = entries["affinity"] { pool.affinity = try affinity.oneOf(UpstreamPoolConfiguration.Affinity.self) }
        if let attempts = entries["max_attempts"] { pool.maxAttempts = try attempts.int(in: 1...10) }
        if let health = entries["health"] {
            let values = try health.mapping(allowed: ["interval", "timeout", "unhealthy_after", "path"])
            if let value = values["interval"] { pool.health.interval = try value.duration() }
            if let value = values["timeout"] { pool.health.timeout = try value.duration() }
            if let value = values["unhealthy_after"] { pool.health.unhealthyAfter = try value.int(in: 1...100) }
            if let value = values["path"] { pool.health.path = try value.string() }
        }
        if let breaker = entries["breaker"] {
            let values = try breaker.mapping(allowed: ["failures", "open_for"])
            if let value = values["failures"] { pool.breaker.failureThreshold = try value.int(in: 1...1000) }
            if let value = values["open_for"] { pool.breaker.openDuration = try value.duration() }
        }
        if let queue = entries["queue"] {
            let values = try queue.mapping(allowed: ["depth", "wait"])
            if let value = values["depth"] { pool.queue.depth = try value.int(in: 0...100_000) }
            if let value = values["wait"] { pool.queue.wait = try value.duration() }
        }
        if let hosts = entries["hosts"] {
            pool.hosts = try hosts.sequence().map(readHost)
        }
        if pool.kind == .echo {
            guard pool.hosts.isEmpty else { throw node.problem("an 'echo' pool is built in and takes no hosts") }
        } else if pool.hosts.isEmpty {
            throw node.problem(.missingKey, "a pool needs at least one entry under 'hosts'")
        }
        return pool
    }

    private func readHost(_ node: ConfigNode) throws -> UpstreamHostConfiguration {
        let entries = try node.mapping(allowed: ["url", "api_key", "weight", "max_concurrent"])
        guard let urlNode = entries["url"] else {
            throw node.problem(.missingKey, "a host needs 'url' (its OpenAI base URL, e.g. http://10.0.0.5:8000/v1)")
        }
        let url = try urlNode.string()
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw urlNode.problem("expected an http:// or https:// URL, got '\(url)'")
        }
        var host = UpstreamHostConfiguration(baseURL: url)
        if let key = entries["api_key"] { host.apiKey = try key.string() }
        if let weight = entries["weight"] { host.weight = try weight.int(in: 1...1000) }
        if let limit = entries["max_concurrent"] {
            host.maxConcurrent = try limit.int(in: 1...UpstreamHostConfiguration.maxConcurrentLimit)
        }
        return host
    }

    private func readModel(_ node: ConfigNode, pools: Set<String>) throws -> ModelRoute {
        let entries = try node.mapping(allowed: ["name", "pool", "model"])
        guard let name = entries["name"] else { throw node.problem(.missingKey, "a model route needs 'name' (a model name or glob)") }
        guard let poolNode = entries["pool"] else { throw node.problem(.missingKey, "a model route needs 'pool'") }
        let pool = try poolNode.string()
        guard pools.contains(pool) else {
            throw poolNode.problem("no pool named '\(pool)' under 'upstreams'; known pools: \(pools.sorted().joined(separator: ", "))")
        }
        return ModelRoute(pattern: try name.string(), pool: pool, upstreamModel: try entries["model"]?.string())
    }

    private func existingFile(_ node: ConfigNode) throws -> String {
        let path = try node.string()
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw node.problem("the file '\(path)' does not exist or is not readable")
        }
        return path
    }
}
