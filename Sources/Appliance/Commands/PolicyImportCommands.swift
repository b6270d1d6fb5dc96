import AdminAPI
import ArgumentParser
import Audit
import Foundation
import Gateway
import Governance
import License
import Logging
import Updater

/// Bringing signed bundles onto the appliance: `import`, `status`, `history`, `rollback` and
/// pinned `trust`. Through the running service's admin socket (which applies a bundle at once),
/// or on the state folder when no service runs (the next start applies it).
extension PolicyCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a signed policy bundle (.tpb): every check first; a refused bundle changes nothing."
        )
        @Argument(help: "The .tpb file (read once, then never touched again).") var file: String
        @OptionGroup var source: ConfigurationSource

        func run() async throws {
            let bytes = try Bundles.read(file)
            let origin = URL(fileURLWithPath: file).standardizedFileURL.path
            let outcome = try await BundleAccess.run(source) { client in
                let body = try JSONEncoder.admin.encode(PolicyImportRequest(source: origin, bundle: Data(bytes)))
                return try BundleAccess.decodeOutcome(try await client.request("POST", "/policy/import", body: body))
            } offline: { bundles in
                await bundles.importBundle(bytes, source: origin)
            }
            try BundleAccess.print(outcome, verb: "imported")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the signed bundle in force, the highest version, and the trust.")
        @OptionGroup var source: ConfigurationSource
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let status = try await BundleAccess.status(source)
            if json { return Swift.print(String(decoding: try JSONEncoder.admin.encode(status), as: UTF8.self)) }
            Swift.print("policy in force: \(status.policySource)")
            if let current = status.installed.first(where: \.inForce) {
                Swift.print(
                    "bundle: version \(current.version) for \(current.orgID), sha256 \(current.digest.prefix(16))…, installed \(current.installedAt.ISO8601Format())"
                )
            } else {
                Swift.print("bundle: none installed")
            }
            Swift.print("highest version ever installed: \(status.highest) (only newer bundles are imported)")
            Swift.print("trust: \(status.trust)")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the installed bundles (the versions 'policy rollback' can return to)."
        )
        @OptionGroup var source: ConfigurationSource

        func run() async throws {
            let status = try await BundleAccess.status(source)
            if status.installed.isEmpty { Swift.print("no bundle installed") }
            for bundle in status.installed.reversed() {
                let expires = bundle.expires.map { ", expires \($0.ISO8601Format())" } ?? ""
                Swift.print(
                    "\(bundle.inForce ? "*" : " ") version \(bundle.version)  installed \(bundle.installedAt.ISO8601Format())  "
                        + "sha256 \(bundle.digest.prefix(16))…  signers \(bundle.signers.count)\(expires)"
                )
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put an installed bundle version back in force (audited; importing an older file stays refused)."
        )
        @Argument(help: "The installed version ('tappass policy history').") var version: UInt64
        @OptionGroup var source: ConfigurationSource

        func run() async throws {
            let outcome = try await BundleAccess.run(source) { client in
                let body = try JSONEncoder.admin.encode(PolicyRollbackRequest(version: version))
                return try BundleAccess.decodeOutcome(try await client.request("POST", "/policy/rollback", body: body))
            } offline: { bundles in
                await bundles.rollback(version)
            }
            try BundleAccess.print(outcome, verb: "in force again")
        }
    }

    struct Trust: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pin policy-signing keys while in evaluation (a license that names keys wins over these).",
            subcommands: [Add.self, List.self, Remove.self]
        )

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Pin a public key (NAME.pub) for an organisation.")
            @Argument(help: "The public key file from 'tappass policy keygen'.") var keyFile: String
            @Option(help: "The organisation id bundles must name.") var org: String
            @Option(help: "How many distinct pinned keys must sign (default: as before, else 1).") var threshold: Int?
            @OptionGroup var source: ConfigurationSource

            func run() async throws {
                let raw = try Bundles.report { try BundleSigningKey.loadPublic(path: keyFile) }
                let request = PolicyTrustRequest(
                    action: .add,
                    keyID: BundleSigningKey.keyID(raw),
                    publicKey: raw.base64EncodedString(),
                    orgID: org,
                    threshold: threshold
                )
                try await BundleAccess.pin(request, source: source)
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Unpin a key by its id.")
            @Argument(help: "The key id ('tappass policy trust list').") var keyID: String
            @OptionGroup var source: ConfigurationSource

            func run() async throws {
                try await BundleAccess.pin(PolicyTrustRequest(action: .remove, keyID: keyID), source: source)
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the pinned keys.")
            @OptionGroup var source: ConfigurationSource

            func run() async throws {
                let configuration = try source.load()
                guard let pinned = try Bundles.report({ try PinnedTrust.load(stateDirectory: configuration.gateway.stateDirectory) }),
                    !pinned.keys.isEmpty
                else { return Swift.print("no key is pinned") }
                for line in PolicyBundles.lines(pinned) { Swift.print(line) }
            }
        }
    }
}

/// The service when it runs, the state folder when it does not.
enum BundleAccess {
    static func run(
        _ source: ConfigurationSource,
        service: (AdminClient) async throws -> PolicyImportOutcome,
        offline: (PolicyBundles) async -> PolicyImportOutcome
    ) async throws -> PolicyImportOutcome {
        let configuration = try source.load()
        if let client = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) {
            do {
                let outcome = try await service(client)
                await client.close()
                return outcome
            } catch {
                await client.close()
                Bundles.stderr("tappass: \(error)")
                throw ExitCode(1)
            }
        }
        return await offline(try offlineBundles(configuration.gateway))
    }

    static func status(_ source: ConfigurationSource) async throws -> PolicyBundleStatus {
        let configuration = try source.load()
        if let client = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) {
            do {
                let status: PolicyBundleStatus = try await client.call("GET", "/policy/bundles", body: nil as String?, expect: 200)
                await client.close()
                return status
            } catch {
                await client.close()
                Bundles.stderr("tappass: \(error)")
                throw ExitCode(1)
            }
        }
        return try Bundles.report { try offlineBundles(configuration.gateway).status() }
    }

    static func pin(_ request: PolicyTrustRequest, source: ConfigurationSource) async throws {
        let configuration = try source.load()
        let outcome: PolicyTrustOutcome
        if let client = await AdminClient.connect(socketPath: configuration.gateway.adminSocketPath) {
            do {
                let response: PolicyTrustResponse = try await client.call("POST", "/policy/trust", body: request, expect: 200)
                outcome = .changed(response.pinned)
            } catch {
                outcome = .refused("\(error)")
            }
            await client.close()
        } else {
            outcome = await (try offlineBundles(configuration.gateway)).pin(request)
        }
        switch outcome {
        case .changed(let pinned):
            Swift.print(pinned.isEmpty ? "no key is pinned" : pinned.joined(separator: "\n"))
        case .refused(let message):
            Bundles.stderr("tappass: \(message)")
            throw ExitCode(2)
        }
    }

    /// The bundles on the state folder, with events appended to the audit log directly.
    static func offlineBundles(_ gateway: GatewayConfiguration) throws -> PolicyBundles {
        let audit: AuditLog
        do { audit = try AuditLog(configuration: gateway, logger: .init(label: "tappass.policy")) } catch {
            Bundles.stderr("tappass: cannot open the audit log, so nothing is changed: \(error)")
            throw ExitCode(1)
        }
        let machine = try LicenseCommand.machine()
        let store = LicenseStore(stateDirectory: gateway.stateDirectory, verifier: LicenseVerifier(machine: machine))
        return PolicyBundles(
            stateDirectory: gateway.stateDirectory,
            license: {
                let time = LicenseClock().read(floor: audit.latestTime).license
                return (store.check(now: time).status, time)
            },
            record: { entries in try? audit.appendWithoutService(entries) },
            apply: nil,
            policySource: {
                (try? BundleStore(stateDirectory: gateway.stateDirectory).current()).flatMap { $0 }.map {
                    "signed bundle version \($0.version)"
                }
                    ?? gateway.governance.policyFile ?? "built-in default"
            }
        )
    }

    static func decodeOutcome(_ answer: (status: Int, body: Data)) throws -> PolicyImportOutcome {
        if answer.status == 200, let response = try? JSONDecoder.admin.decode(PolicyImportResponse.self, from: answer.body) {
            return response.outcome == "unchanged" ? .unchanged(response.bundle) : .installed(response.bundle)
        }
        if let refusal = try? JSONDecoder.admin.decode(BundleRefusalBody.self, from: answer.body) {
            return .refused(code: refusal.code, message: refusal.error)
        }
        let message = (try? JSONDecoder.admin.decode(AdminErrorBody.self, from: answer.body).error) ?? "status \(answer.status)"
        throw AdminClient.Failure(description: message)
    }

    static func print(_ outcome: PolicyImportOutcome, verb: String) throws {
        switch outcome {
        case .installed(let bundle):
            Swift.print("\(verb): bundle version \(bundle.version) for \(bundle.orgID) is in force (sha256 \(bundle.digest.prefix(16))…)")
        case .unchanged(let bundle):
            Swift.print("unchanged: bundle version \(bundle.version) is installed already (sha256 \(bundle.digest.prefix(16))…)")
        case .refused(let code, let message):
            Bundles.stderr("tappass: refused: \(message.hasPrefix(code) ? message : "\(code): \(message)")")
            throw ExitCode(2)
        }
    }
}
