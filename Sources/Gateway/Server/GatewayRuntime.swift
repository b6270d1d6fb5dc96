package import Access
package import Audit
import Foundation
package import Governance
import Hummingbird
import JSONWire
package import LocalLLM
package import Logging
import NIOCore
import NIOFoundationEssentialsCompat

/// The shared state every request handler uses: keys, model routes, pools, the upstream client,
/// the built-in echo model, metrics and limits. Routes, pools and limits are read from
/// ``LiveConfiguration``, which a reload replaces.
package struct GatewayRuntime: Sendable {
    package let live: LiveConfiguration
    package let keys: APIKeyStore
    package let upstream: UpstreamClient
    package let echo: EchoModel
    package let tokenizer: HostTokenizer
    package let metrics: GatewayMetrics
    package let audit: AuditLog
    package let policy: PolicyStore
    package let quotas: QuotaLedger
    package let licenseGate: LicenseGate
    package let logger: Logger

    package init(
        configuration: GatewayConfiguration,
        keys: APIKeyStore,
        upstream: UpstreamClient,
        metrics: GatewayMetrics,
        audit: AuditLog,
        policy: PolicyStore = PolicyStore(policy: DefaultPolicy.policy, source: "built-in default"),
        licenseGate: LicenseGate = LicenseGate(),
        logger: Logger
    ) {
        self.live = LiveConfiguration(configuration)
        self.keys = keys
        self.upstream = upstream
        self.echo = EchoModel(wordDelay: configuration.echoWordDelay)
        self.tokenizer = HostTokenizer(http: upstream.http)
        self.metrics = metrics
        self.audit = audit
        self.policy = policy
        self.quotas = QuotaLedger()
        self.licenseGate = licenseGate
        self.logger = logger
    }

    /// The configuration in force (its live sections as last reloaded).
    package var configuration: GatewayConfiguration { live.snapshot.configuration }
    package var pools: [UpstreamPool] { live.snapshot.pools }
    package var router: ModelRouter { live.snapshot.router }

    /// The caller's key from `Authorization: Bearer …` or `x-api-key`; then, fail closed: no
    /// governed request is served while its audit record cannot be written, nor without a
    /// valid license or evaluation period.
    func authenticate(_ request: Request) throws(GatewayError) -> Principal {
        var presented = request.headers[.authorization].flatMap(Self.bearerToken)
        if presented == nil { presented = request.headers[.apiKey] }
        switch keys.authenticate(presented) {
        case .success(let principal):
            guard audit.isWritable else {
                throw GatewayError(
                    .governanceUnavailable,
                    "The audit log cannot be written, so governed requests are refused until it can (see the service log)."
                )
            }
            let license = licenseGate.state
            if let refusal = license.refusal {
                throw GatewayError(.licenseRequired, "Governed requests are refused: \(refusal)")
            }
            if let seats = license.seats, let graceEnds = license.seatGraceEnds, Date() >= graceEnds,
                !keys.holdsSeat(principal.user, seats: seats)
            {
                throw GatewayError(
                    .seatUnavailable,
                    "User '\(principal.user)' holds no license seat: the license covers \(seats) seat\(seats == 1 ? "" : "s"), "
                        + "held by the users who got their keys first. An administrator can free one (tappass keys revoke) "
                        + "or activate a license with more seats."
                )
            }
            return principal
        case .failure(let refusal): throw GatewayError(.authentication, "Authentication failed: \(refusal.rawValue).")
        }
    }

    /// The token of an `Authorization: Bearer …` value (scheme case-insensitive).
    static func bearerToken(_ value: String) -> String? {
        guard value.utf8.count > 7, value.prefix(7).lowercased() == "bearer " else { return nil }
        var token = value.dropFirst(7)
        while token.first == " " { token = token.dropFirst() }
        while token.last == " " { token = token.dropLast() }
        return token.isEmpty ? nil : String(token)
    }

    /// Reads and decodes a JSON request body within the size and depth limits (timed as the
    /// `request_limits` step), noting its size on the exchange.
    func readJSON(_ request: Request, exchange: inout Exchange) async throws(GatewayError) -> JSONValue {
        let start = ContinuousClock.now
        defer { metrics.stepFinished(Step.requestLimits.rawValue, duration: .now - start) }
        let (value, bytes) = try await readJSONBody(request)
        exchange.requestBytes = bytes
        return value
    }

    private func readJSONBody(_ request: Request) async throws(GatewayError) -> (JSONValue, Int) {
        let limits = configuration.limits
        let limit = limits.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw GatewayError(.tooLarge, "The request body is \(length) bytes; the limit is \(limit) bytes.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw GatewayError(.tooLarge, "The request body exceeds the limit of \(limit) bytes.")
        } catch {
            throw GatewayError(.invalidRequest, "The request body could not be read.")
        }
        if JSONDepthLimit.exceeds(buffer, maxDepth: limits.maxJSONDepth) {
            throw GatewayError(.invalidRequest, "The request body nests JSON deeper than \(limits.maxJSONDepth) levels.")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(buffer)
        } catch {
            throw GatewayError(.invalidRequest, "The request body is not valid JSON.")
        }
        guard case .object = value else {
            throw GatewayError(.invalidRequest, "The request body must be a JSON object.")
        }
        return (value, buffer.readableBytes)
    }

    /// Resolves the requested model for this caller, or refuses with 403 or 404.
    func route(model: String, for principal: Principal) throws(GatewayError) -> ModelRouter.Target {
        guard principal.mayUse(model: model) else {
            throw GatewayError(.permission, "This API key may not use the model '\(model)'.", param: "model")
        }
        guard let target = router.resolve(model) else {
            throw GatewayError(.modelNotFound, "The model '\(model)' does not exist or is not routed by this gateway.", param: "model")
        }
        return target
    }

    static func decode(_ buffer: ByteBuffer) -> JSONValue? {
        try? JSONValue.parse(buffer)
    }

    /// Reads a whole reply body under the idle and total timeouts, refusing more than 64 MiB.
    func collect(_ reply: UpstreamReply) async throws -> ByteBuffer {
        var body = ByteBuffer()
        let timeouts = configuration.timeouts
        try await StreamRelay.relay(
            reply.body,
            idle: timeouts.idle,
            total: timeouts.total,
            hostID: reply.hostID
        ) { chunk in
            var chunk = chunk
            guard body.readableBytes + chunk.readableBytes <= 64 << 20 else {
                throw UpstreamError(.badStatus, "the host's response exceeds 64 MiB", hostID: reply.hostID)
            }
            body.writeBuffer(&chunk)
        }
        return body
    }

    static func encode(_ value: JSONValue) -> ByteBuffer {
        value.serialized
    }

    /// Whether the gateway can serve: state readable and at least one routed pool with a usable host.
    /// The serving half of the service's one-line systemd status: "serving 3 models, 2/3 hosts
    /// healthy" (the built-in echo host counts as one, always healthy).
    package func statusLine() -> String {
        let snapshot = live.snapshot
        let routed = Set(snapshot.configuration.models.map(\.pool))
        let pools = snapshot.pools.filter { routed.contains($0.name) }
        let now = ContinuousClock.now
        var hosts = 0
        var healthy = 0
        for pool in pools {
            if pool.kind == .echo {
                hosts += 1
                healthy += 1
                continue
            }
            hosts += pool.hosts.count
            healthy += pool.hosts.filter { $0.snapshot(at: now).available }.count
        }
        let models = snapshot.configuration.models.count
        return "serving \(models) model\(models == 1 ? "" : "s"), \(healthy)/\(hosts) hosts healthy"
    }

    package func readiness() -> (ready: Bool, reasons: [String]) {
        var reasons: [String] = []
        do { _ = try keys.list() } catch { reasons.append("key store unreadable") }
        if !audit.isWritable { reasons.append("audit log cannot be written") }
        if let refusal = licenseGate.refusal { reasons.append("license: \(refusal)") }
        let snapshot = live.snapshot
        let routed = Set(snapshot.configuration.models.map(\.pool))
        if routed.isEmpty {
            reasons.append("no model is routed (see 'models' in the configuration)")
        } else if !snapshot.pools.contains(where: { routed.contains($0.name) && $0.hasAvailableHost() }) {
            reasons.append("no routed pool has an available host")
        }
        return (reasons.isEmpty, reasons)
    }
}
