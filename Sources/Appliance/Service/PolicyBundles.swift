import AdminAPI
import Audit
import Foundation
import Governance
import License
import Synchronization
import Updater

/// Signed policy bundles on this appliance: whose signatures they need (the license's policy
/// keys, or keys pinned while in evaluation), import (verify → install → put in force → audit
/// event), status, rollback and pinning. The service and the CLI working on the state folder
/// (no service running) share this; they differ in how events are recorded and whether a
/// policy is put in force live.
final class PolicyBundles: Sendable {
    let stateDirectory: String
    let store: BundleStore
    /// The license status and the license time (never earlier than any time seen before).
    let license: @Sendable () -> (status: LicenseStatus, time: Date)
    let record: @Sendable ([AuditEntry]) async -> Void
    /// Puts a bundle's policy in force (the running service); nil on the state folder alone.
    let apply: (@Sendable (Policy, UInt64) -> Void)?
    let policySource: @Sendable () -> String
    /// One change at a time.
    private let serial = Mutex(())

    init(
        stateDirectory: String,
        license: @escaping @Sendable () -> (status: LicenseStatus, time: Date),
        record: @escaping @Sendable ([AuditEntry]) async -> Void,
        apply: (@Sendable (Policy, UInt64) -> Void)?,
        policySource: @escaping @Sendable () -> String
    ) {
        self.stateDirectory = stateDirectory
        self.store = BundleStore(stateDirectory: stateDirectory)
        self.license = license
        self.record = record
        self.apply = apply
        self.policySource = policySource
    }

    /// The trust in force and a line that says where it comes from.
    func trust(_ status: LicenseStatus) -> (BundleTrust?, String) {
        if case .licensed(let license) = status {
            let trust = Bundles.trust(license.terms)
            guard !trust.keys.isEmpty else { return (nil, "the license \(license.terms.licenseID) names no policy-signing keys") }
            return (
                trust, "the license \(license.terms.licenseID): \(trust.keys.count) keys, \(trust.threshold) must sign, org \(trust.orgID)"
            )
        }
        guard let pinned = try? PinnedTrust.load(stateDirectory: stateDirectory), !pinned.keys.isEmpty else {
            return (nil, "no license names policy keys and none are pinned ('tappass policy trust add KEY.pub --org ID')")
        }
        return (pinned.trust, "pinned keys (evaluation): \(pinned.keys.count) keys, \(pinned.threshold) must sign, org \(pinned.orgID)")
    }

    func importBundle(_ file: [UInt8], source: String) async -> PolicyImportOutcome {
        let digest = BundleVerifier.sha256Hex(file)
        let (outcome, event) = serial.withLock { _ in installLocked(file, digest: digest, source: source) }
        await record([event])
        return outcome
    }

    private func installLocked(_ file: [UInt8], digest: String, source: String) -> (PolicyImportOutcome, AuditEntry) {
        func refused(_ refusal: BundleRefusal) -> (PolicyImportOutcome, AuditEntry) {
            let detail = ["source": source, "digest": digest, "code": refusal.code.rawValue, "reason": refusal.message]
            return (.refused(code: refusal.code.rawValue, message: refusal.message), .event("policy.bundle_refused", detail: detail))
        }
        let index: BundleStore.Index
        do { index = try store.index() } catch { return refused(BundleRefusal(.badArchive, "\(error)")) }
        if let same = index.installed.first(where: { $0.digest == digest }) {
            let summary = Self.summary(same, current: index.current)
            let detail = ["source": source, "digest": digest, "version": "\(same.version)"]
            return (.unchanged(summary), .event("policy.bundle_unchanged", detail: detail))
        }
        let (status, time) = license()
        let (inForce, trustLine) = trust(status)
        guard let inForce else { return refused(BundleRefusal(.noTrust, trustLine)) }
        let verifier = BundleVerifier(
            trust: inForce,
            highestInstalled: index.highest,
            now: time,
            applianceVersion: TappassCommand.version,
            validatePayload: Bundles.validatePolicy
        )
        let verified: VerifiedBundle
        let policy: Policy
        do {
            verified = try verifier.verify(file)
            policy = try PolicyReader.parse(
                yaml: String(decoding: verified.payload["policy.yaml"] ?? [], as: UTF8.self),
                file: "policy.yaml"
            )
        } catch let refusal as BundleRefusal {
            return refused(refusal)
        } catch {
            return refused(BundleRefusal(.invalidPayload, "\(error)"))
        }
        let installed: BundleStore.Installed
        do { installed = try store.install(verified, file: file, at: Date()) } catch {
            return refused(BundleRefusal(.badArchive, "cannot install into \(store.directory.path): \(error)"))
        }
        apply?(policy, installed.version)
        let detail = [
            "source": source, "digest": digest, "version": "\(installed.version)", "signers": installed.signers.joined(separator: ","),
            "org_id": installed.orgID, "policy": policy.name,
        ]
        return (.installed(Self.summary(installed, current: installed.version)), .event("policy.bundle_imported", detail: detail))
    }

    func status() throws -> PolicyBundleStatus {
        let index = try store.index()
        return PolicyBundleStatus(
            highest: index.highest,
            installed: index.installed.map { Self.summary($0, current: index.current) },
            trust: trust(license().status).1,
            policySource: policySource()
        )
    }

    func rollback(_ version: UInt64) async -> PolicyImportOutcome {
        let result: Result<(BundleStore.Installed, Policy), any Error> = serial.withLock { _ in
            Result {
                let installed = try store.activate(version: version)
                let file = store.directory.appendingPathComponent("versions/\(version)/policy.yaml")
                let policy = try PolicyReader.load(path: file.path)
                apply?(policy, version)
                return (installed, policy)
            }
        }
        switch result {
        case .success(let (installed, policy)):
            await record([
                .event("policy.bundle_rolled_back", detail: ["version": "\(version)", "digest": installed.digest, "policy": policy.name])
            ])
            return .installed(Self.summary(installed, current: version))
        case .failure(let error):
            await record([.event("policy.rollback_refused", detail: ["version": "\(version)", "reason": "\(error)"])])
            return .refused(code: "rollback_refused", message: "\(error)")
        }
    }

    func pin(_ request: PolicyTrustRequest) async -> PolicyTrustOutcome {
        let result: Result<(PinnedTrust, AuditEntry), any Error> = serial.withLock { _ in
            Result {
                var pinned = try PinnedTrust.load(stateDirectory: stateDirectory)
                switch request.action {
                case .add:
                    guard let key = request.publicKey, let raw = Data(base64Encoded: key), raw.count == 32 else {
                        throw KeyFileError("expected a 32-byte Ed25519 public key")
                    }
                    guard BundleSigningKey.keyID(raw) == request.keyID else { throw KeyFileError("the key id is not the key's SHA-256") }
                    let org = request.orgID ?? pinned?.orgID
                    guard let org else { throw KeyFileError("say which organisation the keys sign for: --org ID") }
                    if let current = pinned, current.orgID != org, !current.keys.isEmpty {
                        throw KeyFileError("keys are pinned for organisation '\(current.orgID)'; remove them first")
                    }
                    var next = pinned ?? PinnedTrust(orgID: org)
                    next.orgID = org
                    next.keys[request.keyID] = key
                    if let threshold = request.threshold { next.threshold = threshold }
                    guard (1...next.keys.count).contains(next.threshold) else {
                        throw KeyFileError("a threshold of \(next.threshold) with \(next.keys.count) pinned key(s) could never be met")
                    }
                    pinned = next
                case .remove:
                    guard var current = pinned, current.keys.removeValue(forKey: request.keyID) != nil else {
                        throw KeyFileError("key \(request.keyID) is not pinned")
                    }
                    current.threshold = min(current.threshold, max(1, current.keys.count))
                    pinned = current
                }
                try pinned!.save(stateDirectory: stateDirectory)
                let name = request.action == .add ? "policy.trust_pinned" : "policy.trust_unpinned"
                let detail = ["key_id": request.keyID, "org_id": pinned!.orgID, "threshold": "\(pinned!.threshold)"]
                return (pinned!, .event(name, detail: detail))
            }
        }
        switch result {
        case .success(let (pinned, event)):
            await record([event])
            return .changed(Self.lines(pinned))
        case .failure(let error):
            return .refused("\(error)")
        }
    }

    static func lines(_ pinned: PinnedTrust) -> [String] {
        pinned.keys.keys.sorted().map { "\($0) (org \(pinned.orgID), threshold \(pinned.threshold))" }
    }

    static func summary(_ installed: BundleStore.Installed, current: UInt64?) -> BundleSummary {
        BundleSummary(
            version: installed.version,
            digest: installed.digest,
            signers: installed.signers,
            orgID: installed.orgID,
            created: installed.created,
            expires: installed.expires,
            installedAt: installed.installedAt,
            inForce: installed.version == current
        )
    }
}
