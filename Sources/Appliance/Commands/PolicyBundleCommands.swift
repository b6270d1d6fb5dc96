import ArgumentParser
import Foundation
import Gateway
import Governance
import License
import Updater

/// Authoring signed policy bundles on an offline workstation, with the same `tappass` binary and
/// no service: `keygen`, `build`, `sign`, `verify`. The README walks through them.
extension PolicyCommand {
    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a policy-signing key pair: NAME (private, mode 0600) and NAME.pub; prints the key id."
        )
        @Option(name: .long, help: "Where to write the private key (NAME.pub gets the public key).") var out: String

        func run() async throws {
            let key = BundleSigningKey()
            try Bundles.report { try key.write(to: out) }
            print("key id \(key.keyID)")
            print("wrote \(out) (keep it offline) and \(out).pub (give it to the vendor for the license, or pin it)")
        }
    }

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build an unsigned bundle from a folder holding policy.yaml (and the files it refers to)."
        )
        @Argument(help: "The folder.") var directory: String
        @Option(name: .long, help: "The organisation id the license names.") var org: String
        @Option(name: .customLong("bundle-version"), help: "This bundle's version: higher than every one before.") var bundleVersion: UInt64
        @Option(name: .shortAndLong, help: "The .tpb file to write.") var output: String
        @Option(help: "When the bundle stops being accepted (ISO 8601 time or YYYY-MM-DD).") var expires: String?
        @Option(name: .customLong("min-appliance-version"), help: "The lowest appliance version that may apply it.")
        var minApplianceVersion: String?

        func run() async throws {
            let expiry = try expires.map { try AuditCommand.parseDate($0, option: "--expires") }
            let policy = directory + "/policy.yaml"
            if FileManager.default.fileExists(atPath: policy) {
                do { _ = try PolicyReader.load(path: policy) } catch {
                    Bundles.stderr("tappass: invalid policy: \(error)")
                    throw ExitCode(2)
                }
            }
            let file = try Bundles.report {
                try BundleBuilder.build(
                    directory: directory,
                    orgID: org,
                    bundleVersion: bundleVersion,
                    expires: expiry,
                    minApplianceVersion: minApplianceVersion
                )
            }
            try Bundles.write(file, to: output)
            print("wrote \(output): version \(bundleVersion) for \(org), unsigned; sign it with 'tappass policy sign \(output) --key KEY'")
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add one signature to a bundle (each signer runs it once).")
        @Argument(help: "The .tpb file (rewritten with the signature added).") var file: String
        @Option(name: .long, help: "The private key file from 'tappass policy keygen'.") var key: String

        func run() async throws {
            let signingKey = try Bundles.report { try BundleSigningKey.load(path: key) }
            let bundle = try Bundles.read(file)
            let signed: [UInt8]
            do { signed = try BundleBuilder.sign(bundle, with: signingKey) } catch {
                Bundles.stderr("tappass: \(file): \(error)")
                throw ExitCode(2)
            }
            try Bundles.write(signed, to: file)
            print("signed \(file) with key \(signingKey.keyID)")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a bundle as an import would (dry run): signatures, organisation, expiry, files, the policy itself.",
            discussion: """
                Then lists what would change, rule by rule, against --against FILE, else against the policy \
                this appliance has in force (its installed bundle, else its policy file, else the built-in \
                default) when a configuration is found, else against the built-in default.
                """
        )
        @Argument(help: "The .tpb file.") var file: String
        @Option(help: "Trust the policy keys, threshold and organisation of this license file.") var license: String?
        @Option(name: .long, help: "Trust this public key (NAME.pub; repeat for several).") var trust: [String] = []
        @Option(help: "With --trust: the organisation id.") var org: String?
        @Option(help: "With --trust: how many distinct trusted keys must sign.") var threshold: Int = 1
        @Option(help: "Compare the bundle's rules with this policy.yaml.") var against: String?
        @OptionGroup var source: ConfigurationSource

        func run() async throws {
            let bundleTrust = try trustRoot()
            let baseline = try self.baseline()
            let verifier = BundleVerifier(
                trust: bundleTrust,
                highestInstalled: baseline.highest,
                now: Date(),
                applianceVersion: TappassCommand.version,
                validatePayload: Bundles.validatePolicy
            )
            let bundle = try Bundles.read(file)
            let verified: VerifiedBundle
            do { verified = try verifier.verify(bundle) } catch {
                Bundles.stderr("tappass: \(file): refused: \(error)")
                throw ExitCode(2)
            }
            let manifest = verified.manifest
            print("\(file): OK (version \(manifest.bundleVersion) for \(manifest.orgID), created \(manifest.created.ISO8601Format()))")
            print("expires: \(manifest.expires?.ISO8601Format() ?? "never")")
            print("signed by: \(verified.signers.joined(separator: ", ")) (\(verified.signers.count) of \(bundleTrust.threshold) needed)")
            for entry in manifest.files { print("file: \(entry.path) (\(entry.size) bytes, sha256 \(entry.sha256.prefix(16))…)") }
            print("sha256: \(verified.digest)")
            let policy = try Bundles.policy(verified.payload)
            let diff = PolicyDiff(from: baseline.policy, to: policy)
            print("rules against \(baseline.name): \(diff.changes.isEmpty ? "no change" : "\(diff.changes.count) changed")")
            for line in diff.lines { print("  " + line) }
        }

        /// What the bundle is compared with, and the highest version installed there (an import
        /// refuses anything at or below it).
        private func baseline() throws -> (policy: Policy, name: String, highest: UInt64) {
            if let against {
                do { return (try PolicyReader.load(path: against), against, 0) } catch {
                    Bundles.stderr("tappass: \(error)")
                    throw ExitCode(2)
                }
            }
            let configured =
                source.demo || source.config != nil || ProcessInfo.processInfo.environment["TAPPASS_CONFIG"] != nil
                || FileManager.default.fileExists(atPath: source.path)
            guard configured else { return (DefaultPolicy.policy, "the built-in default policy (no appliance configuration here)", 0) }
            let gateway = try source.load().gateway
            do {
                let highest = try BundleStore(stateDirectory: gateway.stateDirectory).index().highest
                let store = try PolicyStore.load(
                    gateway.governance,
                    bundle: try Bundles.installedPolicy(stateDirectory: gateway.stateDirectory)
                )
                return (store.active.policy, "the policy in force here (\(store.active.source))", highest)
            } catch {
                Bundles.stderr("tappass: cannot read the policy in force here: \(error) (compare with --against FILE)")
                throw ExitCode(1)
            }
        }

        private func trustRoot() throws -> BundleTrust {
            if let license {
                let data = try Bundles.report { try Data(contentsOf: URL(fileURLWithPath: license)) }
                let verifier = LicenseVerifier(machine: try MachineFingerprint.current())
                let terms: LicenseTerms
                do { terms = try verifier.authenticate(data).terms } catch {
                    Bundles.stderr("tappass: \(license): \(error)")
                    throw ExitCode(2)
                }
                return Bundles.trust(terms)
            }
            guard !trust.isEmpty, let org else {
                throw ValidationError("say whom to trust: --license FILE, or --trust KEY.pub (repeat) with --org ID")
            }
            var keys: [String: Data] = [:]
            for path in trust {
                let raw = try Bundles.report { try BundleSigningKey.loadPublic(path: path) }
                keys[BundleSigningKey.keyID(raw)] = raw
            }
            return BundleTrust(orgID: org, keys: keys, threshold: threshold)
        }
    }
}

/// What the bundle commands share.
enum Bundles {
    /// The policy in a bundle must parse as the service would load it.
    static let validatePolicy: @Sendable ([String: [UInt8]]) throws -> Void = { payload in
        _ = try policy(payload)
    }

    static func policy(_ payload: [String: [UInt8]]) throws -> Policy {
        guard let policy = payload["policy.yaml"] else { throw KeyFileError("no policy.yaml") }
        return try PolicyReader.parse(yaml: String(decoding: policy, as: UTF8.self), file: "policy.yaml (in the bundle)")
    }

    /// The installed bundle's policy, parsed; nil when no bundle is installed. A bundle that
    /// cannot be read stops the start: governance state that is unreadable fails closed.
    static func installedPolicy(stateDirectory: String) throws -> (version: UInt64, policy: Policy)? {
        guard let (version, yaml) = try BundleStore(stateDirectory: stateDirectory).current() else { return nil }
        let file = "\(stateDirectory)/policy/versions/\(version)/policy.yaml"
        return (version, try PolicyReader.parse(yaml: String(decoding: yaml, as: UTF8.self), file: file))
    }

    /// The trust a license carries: its organisation, its policy keys by id, its threshold.
    static func trust(_ terms: LicenseTerms) -> BundleTrust {
        var keys: [String: Data] = [:]
        for key in terms.policyKeys {
            if let raw = Data(base64Encoded: key.publicKey), raw.count == 32 { keys[key.id] = raw }
        }
        return BundleTrust(orgID: terms.orgID, keys: keys, threshold: terms.policyThreshold)
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            stderr("tappass: \(path): cannot read the file")
            throw ExitCode(1)
        }
        defer { try? handle.close() }
        // One byte past the largest bundle: a larger file is refused as such, without reading it all.
        let data = (try? handle.read(upToCount: BundleVerifier.Limits().maxCompressedBytes + 1)) ?? Data()
        return Array(data)
    }

    /// Writes through a temporary file and a rename: a reader never sees half a bundle.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            stderr("tappass: \(path): cannot write: \(error.localizedDescription)")
            throw ExitCode(1)
        }
    }

    static func report<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as KeyFileError {
            stderr("tappass: \(error)")
            throw ExitCode(1)
        }
    }

    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
