import Audit
import Gateway
import Governance
import LocalLLM
import Logging
import Yams

/// Renders the configuration in force, defaults filled in and secrets masked, as YAML.
enum EffectiveConfigurationPrinter {
    static func yaml(_ configuration: ApplianceConfiguration) throws -> String {
        let gateway = configuration.gateway
        var listen: [(String, Node)] = [
            ("address", scalar(gateway.listen.host)), ("port", scalar(String(gateway.listen.port))),
            ("header_timeout", scalar(text(gateway.listen.headerTimeout))), ("body_timeout", scalar(text(gateway.listen.bodyTimeout))),
            ("idle_timeout", scalar(text(gateway.listen.idleTimeout))),
            ("max_connections", scalar(String(gateway.listen.maxConnections))),
        ]
        if let certificate = gateway.listen.tlsCertificatePath, let key = gateway.listen.tlsKeyPath {
            listen.append(("tls", map([("certificate", scalar(certificate)), ("key", scalar(key))])))
        }
        let timeouts = gateway.timeouts
        let limits: Node = map([
            ("max_body_bytes", scalar(String(gateway.limits.maxBodyBytes))),
            ("max_json_depth", scalar(String(gateway.limits.maxJSONDepth))),
            ("max_choices", scalar(String(gateway.limits.maxChoices))),
            ("drain_timeout", scalar(text(gateway.limits.drainTimeout))),
            (
                "timeouts",
                map([
                    ("connect", scalar(text(timeouts.connect))), ("first_byte", scalar(text(timeouts.firstByte))),
                    ("idle", scalar(text(timeouts.idle))), ("total", scalar(text(timeouts.total))),
                    ("keepalive", scalar(text(timeouts.keepAlive))),
                ])
            ),
        ])
        let pools: [(String, Node)] = gateway.pools.map { pool in
            var entries: [(String, Node)] = [("kind", scalar(pool.kind.rawValue))]
            if pool.kind != .echo {
                entries += [
                    ("affinity", scalar(pool.affinity.rawValue)),
                    ("tokenizer", scalar(pool.tokenizer.rawValue)),
                    ("messages_api", scalar(pool.messagesAPI.rawValue)),
                    ("max_attempts", scalar(String(pool.maxAttempts))),
                    (
                        "health",
                        map([
                            ("interval", scalar(text(pool.health.interval))), ("timeout", scalar(text(pool.health.timeout))),
                            ("unhealthy_after", scalar(String(pool.health.unhealthyAfter))),
                            ("path", scalar(HealthProbe(kind: pool.kind, overridePath: pool.health.path).path)),
                        ])
                    ),
                    (
                        "breaker",
                        map([
                            ("failures", scalar(String(pool.breaker.failureThreshold))),
                            ("open_for", scalar(text(pool.breaker.openDuration))),
                        ])
                    ),
                    (
                        "queue",
                        map([("depth", scalar(String(pool.queue.depth))), ("wait", scalar(text(pool.queue.wait)))])
                    ),
                    (
                        "hosts",
                        list(
                            pool.hosts.map { host in
                                var fields: [(String, Node)] = [("url", scalar(host.baseURL))]
                                if host.apiKey != nil { fields.append(("api_key", scalar("********"))) }
                                fields += [("weight", scalar(String(host.weight))), ("max_concurrent", scalar(String(host.maxConcurrent)))]
                                return map(fields)
                            }
                        )
                    ),
                ]
            }
            return (pool.name, map(entries))
        }
        let models = list(
            gateway.models.map { route in
                map([
                    ("name", scalar(route.pattern)), ("pool", scalar(route.pool)),
                    ("model", scalar(route.upstreamModel ?? "(as requested)")),
                ])
            }
        )
        let root = map([
            ("listen", map(listen)),
            ("state_dir", scalar(gateway.stateDirectory)),
            ("admin_socket", scalar(gateway.adminSocketPath)),
            ("log_level", scalar(configuration.logLevel.rawValue)),
            ("limits", limits),
            (
                "audit",
                map([
                    ("path", scalar(gateway.audit.databasePath(stateDirectory: gateway.stateDirectory))),
                    ("durability", scalar(gateway.audit.durability.rawValue)),
                    ("fsync", scalar(gateway.audit.fsync ? "true" : "false")),
                    ("checkpoint_every", scalar(String(gateway.audit.checkpointEvery))),
                    ("checkpoint_interval", scalar(text(gateway.audit.checkpointInterval))),
                ])
            ),
            (
                "governance",
                // No policy_file: the built-in default policy is in force.
                map(
                    [("enabled", scalar(gateway.governance.enabled ? "true" : "false"))]
                        + (gateway.governance.policyFile.map { [("policy_file", scalar($0))] } ?? [])
                        + [("stream_window", scalar(String(gateway.governance.streamWindow)))]
                )
            ),
            ("upstreams", map(pools)),
            ("models", models),
        ])
        return try Yams.serialize(node: root)
    }

    static func scalar(_ text: String) -> Node { Node(text, Tag(.str), .plain) }
    static func map(_ pairs: [(String, Node)]) -> Node { Node(pairs.map { (scalar($0.0), $0.1) }, Tag(.map), .block) }
    static func list(_ nodes: [Node]) -> Node { Node(nodes, Tag(.seq), .block) }

    static func text(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
