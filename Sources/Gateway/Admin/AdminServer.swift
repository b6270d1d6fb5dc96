import Access
import Audit
import Foundation
import Governance
import Hummingbird
import Logging
import NIOCore
import NIOFoundationEssentialsCompat
import ServiceLifecycle

/// The admin API on a local Unix socket, so `tappass keys …` changes apply to the running
/// service at once and the service stays the only writer of its state. Access is by file
/// permissions: the socket is mode 0660 (root and the service's group).
package struct AdminServer: Service {
    let runtime: GatewayRuntime
    /// Re-reads the configuration file and applies it (`tappass config reload`); nil where the
    /// service has no file to re-read.
    let reloadConfiguration: (@Sendable () async -> ConfigReloadOutcome)?
    /// `tappass license show|activate`; nil where the service has no license state.
    let license: LicenseAdmin?

    package init(
        runtime: GatewayRuntime,
        reloadConfiguration: (@Sendable () async -> ConfigReloadOutcome)? = nil,
        license: LicenseAdmin? = nil
    ) {
        self.runtime = runtime
        self.reloadConfiguration = reloadConfiguration
        self.license = license
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let keys = runtime.keys
        let logger = runtime.logger
        let audit = runtime.audit
        let licenseGate = runtime.licenseGate
        router.get("/keys") { _, _ in
            let now = Date()
            let holders = licenseGate.state.seats.map { keys.seatHolders(seats: $0, now: now) }
            return try Self.json(
                try keys.list().map { record in
                    var summary = KeySummary(record)
                    if let holders, record.isActive(at: now) { summary.seat = holders.contains(record.user) ? "held" : "over" }
                    return summary
                }
            )
        }
        router.post("/keys") { request, _ in
            let body = try await request.body.collect(upTo: 64 << 10)
            let create: KeyCreateRequest
            do { create = try JSONDecoder.admin.decode(KeyCreateRequest.self, from: body) } catch {
                return try Self.json(AdminErrorBody(error: "expected {user, team, models, expiresAt?}: \(error)"), status: .badRequest)
            }
            let (record, key): (APIKeyRecord, String)
            do {
                (record, key) = try keys.create(
                    user: create.user,
                    team: create.team,
                    models: create.models,
                    expiresAt: create.expiresAt,
                    seatLimit: licenseGate.state.seats
                )
            } catch let full as SeatLimitReached {
                logger.warning("api key refused: no seat left", metadata: ["user": "\(full.user)", "license.seats": "\(full.seats)"])
                return try Self.json(AdminErrorBody(error: "\(full)"), status: .conflict)
            }
            logger.notice("api key created", metadata: ["key.id": "\(record.id)", "user": "\(record.user)", "team": "\(record.team)"])
            await audit.record(.event("key.created", detail: ["key_id": record.id, "user": record.user, "team": record.team]))
            return try Self.json(KeyCreateResponse(key: key, summary: KeySummary(record)), status: .created)
        }
        router.post("/keys/{id}/revoke") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let record = try keys.revoke(id: id) else {
                return try Self.json(AdminErrorBody(error: "no key with id '\(id)'"), status: .notFound)
            }
            logger.notice("api key revoked", metadata: ["key.id": "\(record.id)"])
            await audit.record(.event("key.revoked", detail: ["key_id": record.id, "user": record.user, "team": record.team]))
            return try Self.json(KeySummary(record))
        }
        let runtime = self.runtime
        router.post("/policy/reload") { _, _ in
            guard let file = runtime.configuration.governance.policyFile else {
                return try Self.json(
                    AdminErrorBody(error: "no governance.policy_file is configured: the built-in default policy is in force"),
                    status: .conflict
                )
            }
            let policy: Policy
            do { policy = try PolicyReader.load(path: file) } catch {
                // The running policy stays.
                logger.warning("policy rejected", metadata: ["policy.file": "\(file)", "error": "\(error)"])
                await audit.record(.event("policy.rejected", detail: ["source": file, "error": "\(error)"]))
                return try Self.json(AdminErrorBody(error: "\(error) (the running policy stays)"), status: .unprocessableContent)
            }
            runtime.policy.replace(with: policy, source: file)
            logger.notice("policy applied", metadata: ["policy.name": "\(policy.name)", "policy.file": "\(file)"])
            await audit.record(.event("policy.applied", detail: ["name": policy.name, "source": file]))
            return try Self.json(PolicySummary(name: policy.name, source: file))
        }
        let reloadConfiguration = self.reloadConfiguration
        router.post("/config/reload") { _, _ in
            guard let reloadConfiguration else {
                return try Self.json(AdminErrorBody(error: "this service cannot reload its configuration"), status: .conflict)
            }
            switch await reloadConfiguration() {
            case .reloaded(let summary): return try Self.json(summary)
            case .rejected(let error):
                return try Self.json(AdminErrorBody(error: "\(error) (the running configuration stays)"), status: .unprocessableContent)
            }
        }
        let license = self.license
        router.get("/license") { _, _ in
            guard let license else { return try Self.json(AdminErrorBody(error: "this service has no license state"), status: .conflict) }
            return try Self.json(await license.status())
        }
        router.post("/license/activate") { request, _ in
            guard let license else { return try Self.json(AdminErrorBody(error: "this service has no license state"), status: .conflict) }
            let body = try await request.body.collect(upTo: 4 << 20)
            let activate: LicenseActivateRequest
            do { activate = try JSONDecoder.admin.decode(LicenseActivateRequest.self, from: body) } catch {
                return try Self.json(AdminErrorBody(error: "expected {source, license}: \(error)"), status: .badRequest)
            }
            switch await license.activate(activate) {
            case .activated(let summary): return try Self.json(summary)
            case .refused(let code, let message):
                return try Self.json(
                    AdminErrorBody(error: "\(code): \(message) (the license in force stays)"),
                    status: .unprocessableContent
                )
            }
        }
        router.get("/status") { _, _ in
            let (ready, reasons) = runtime.readiness()
            return try Self.json(ServiceStatus(ready: ready, reasons: reasons, status: runtime.statusLine()))
        }
        router.get("/policy") { _, _ in
            let active = runtime.policy.active
            return try Self.json(PolicySummary(name: active.policy.name, source: active.source))
        }
        router.post("/audit/checkpoint") { _, _ in
            let checkpoint: AuditCheckpoint
            do { checkpoint = try await audit.checkpointNow() } catch {
                return try Self.json(AdminErrorBody(error: "\(error)"), status: .serviceUnavailable)
            }
            return try Self.json(CheckpointFile(publicKey: audit.publicKey, checkpoints: [checkpoint]))
        }
        router.post("/audit/prune") { request, _ in
            let body = try await request.body.collect(upTo: 64 << 10)
            let prune: AuditPruneRequest
            do { prune = try JSONDecoder.admin.decode(AuditPruneRequest.self, from: body) } catch {
                return try Self.json(AdminErrorBody(error: "expected {before}: \(error)"), status: .badRequest)
            }
            let result: AuditLog.PruneResult
            do { result = try await audit.prune(before: prune.before) } catch {
                return try Self.json(AdminErrorBody(error: "\(error)"), status: .serviceUnavailable)
            }
            await audit.record(.event("audit.pruned", detail: ["before": "\(prune.before)", "pruned_through": "\(result.prunedThrough)"]))
            return try Self.json(result)
        }
        return router
    }

    package func run() async throws {
        let path = runtime.configuration.adminSocketPath
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .unixDomainSocket(path: path), serverName: "tappass-admin"),
            onServerRunning: { _ in chmod(path, 0o660) },
            logger: runtime.logger
        )
        try await app.run()
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try JSONEncoder.admin.encode(value))))
    }
}
