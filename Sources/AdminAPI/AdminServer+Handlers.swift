import Access
import Audit
import Foundation
import Gateway
import Governance
import Hummingbird
import Logging

/// One function per admin route; each answers JSON, with an ``AdminErrorBody`` when it refuses.
extension AdminServer {
    func listKeys() throws -> Response {
        let now = Date()
        let holders = runtime.licenseGate.state.seats.map { runtime.keys.seatHolders(seats: $0, now: now) }
        return try Self.json(
            try runtime.keys.list().map { record in
                var summary = KeySummary(record)
                if let holders, record.isActive(at: now) { summary.seat = holders.contains(record.user) ? "held" : "over" }
                return summary
            }
        )
    }

    func createKey(_ request: Request) async throws -> Response {
        let create: KeyCreateRequest
        switch try await Self.decode(KeyCreateRequest.self, from: request, limit: 64 << 10) {
        case .success(let decoded): create = decoded
        case .failure(let error): return try Self.failure("expected {user, team, models, expiresAt?}: \(error)", status: .badRequest)
        }
        let (record, key): (APIKeyRecord, String)
        do {
            (record, key) = try runtime.keys.create(
                user: create.user,
                team: create.team,
                models: create.models,
                expiresAt: create.expiresAt,
                seatLimit: runtime.licenseGate.state.seats
            )
        } catch let full as SeatLimitReached {
            runtime.logger.warning("api key refused: no seat left", metadata: ["user": "\(full.user)", "license.seats": "\(full.seats)"])
            return try Self.failure("\(full)", status: .conflict)
        }
        runtime.logger.notice("api key created", metadata: ["key.id": "\(record.id)", "user": "\(record.user)", "team": "\(record.team)"])
        await runtime.audit.record(.event("key.created", detail: ["key_id": record.id, "user": record.user, "team": record.team]))
        return try Self.json(KeyCreateResponse(key: key, summary: KeySummary(record)), status: .created)
    }

    func revokeKey(id: String) async throws -> Response {
        guard let record = try runtime.keys.revoke(id: id) else { return try Self.failure("no key with id '\(id)'", status: .notFound) }
        runtime.logger.notice("api key revoked", metadata: ["key.id": "\(record.id)"])
        await runtime.audit.record(.event("key.revoked", detail: ["key_id": record.id, "user": record.user, "team": record.team]))
        return try Self.json(KeySummary(record))
    }

    func activePolicy() throws -> Response {
        let active = runtime.policy.active
        return try Self.json(PolicySummary(active))
    }

    /// Re-reads the configured policy file; a policy that does not validate changes nothing.
    func reloadPolicy() async throws -> Response {
        if let version = runtime.policy.active.bundleVersion {
            return try Self.failure(
                "a signed policy bundle (version \(version)) is in force; import a newer bundle or roll back (the running policy stays)",
                status: .conflict
            )
        }
        guard let file = runtime.configuration.governance.policyFile else {
            return try Self.failure(
                "no governance.policy_file is configured: the built-in default policy is in force",
                status: .conflict
            )
        }
        let policy: Policy
        do { policy = try PolicyReader.load(path: file) } catch {
            runtime.logger.warning("policy rejected", metadata: ["policy.file": "\(file)", "error": "\(error)"])
            await runtime.audit.record(.event("policy.rejected", detail: ["source": file, "error": "\(error)"]))
            return try Self.failure("\(error) (the running policy stays)", status: .unprocessableContent)
        }
        guard runtime.policy.replaceUnlessBundled(with: policy, source: file) else {
            let version = runtime.policy.active.bundleVersion.map(String.init) ?? "?"
            return try Self.failure(
                "a signed policy bundle (version \(version)) is in force; import a newer bundle or roll back (the running policy stays)",
                status: .conflict
            )
        }
        runtime.logger.notice("policy applied", metadata: ["policy.name": "\(policy.name)", "policy.file": "\(file)"])
        await runtime.audit.record(.event("policy.applied", detail: ["name": policy.name, "source": file]))
        return try Self.json(PolicySummary(runtime.policy.active))
    }

    func reloadConfig() async throws -> Response {
        guard let reloadConfiguration else { return try Self.failure("this service cannot reload its configuration", status: .conflict) }
        switch await reloadConfiguration() {
        case .reloaded(let summary): return try Self.json(summary)
        case .rejected(let error): return try Self.failure("\(error) (the running configuration stays)", status: .unprocessableContent)
        }
    }

    func licenseStatus() async throws -> Response {
        guard let license else { return try Self.failure("this service has no license state", status: .conflict) }
        return try Self.json(await license.status())
    }

    func activateLicense(_ request: Request) async throws -> Response {
        guard let license else { return try Self.failure("this service has no license state", status: .conflict) }
        let activate: LicenseActivateRequest
        switch try await Self.decode(LicenseActivateRequest.self, from: request, limit: 4 << 20) {
        case .success(let decoded): activate = decoded
        case .failure(let error): return try Self.failure("expected {source, license}: \(error)", status: .badRequest)
        }
        switch await license.activate(activate) {
        case .activated(let summary): return try Self.json(summary)
        case .refused(let code, let message):
            return try Self.failure("\(code): \(message) (the license in force stays)", status: .unprocessableContent)
        }
    }

    func serviceStatus() throws -> Response {
        let (ready, reasons) = runtime.readiness()
        return try Self.json(ServiceStatus(ready: ready, reasons: reasons, status: runtime.statusLine()))
    }

    func checkpointAudit() async throws -> Response {
        let checkpoint: AuditCheckpoint
        do { checkpoint = try await runtime.audit.checkpointNow() } catch {
            return try Self.failure("\(error)", status: .serviceUnavailable)
        }
        return try Self.json(CheckpointFile(publicKey: runtime.audit.publicKey, checkpoints: [checkpoint]))
    }

    func pruneAudit(_ request: Request) async throws -> Response {
        let prune: AuditPruneRequest
        switch try await Self.decode(AuditPruneRequest.self, from: request, limit: 64 << 10) {
        case .success(let decoded): prune = decoded
        case .failure(let error): return try Self.failure("expected {before}: \(error)", status: .badRequest)
        }
        let result: AuditLog.PruneResult
        do { result = try await runtime.audit.prune(before: prune.before) } catch {
            return try Self.failure("\(error)", status: .serviceUnavailable)
        }
        await runtime.audit.record(
            .event("audit.pruned", detail: ["before": "\(prune.before)", "pruned_through": "\(result.prunedThrough)"])
        )
        return try Self.json(result)
    }
}
