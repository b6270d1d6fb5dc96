import CompressNIO
import Crypto
package import Foundation
import NIOCore
import StrictJSON

/// A bundle that passed every check: what the installer may apply.
package struct VerifiedBundle: Sendable {
    package var manifest: BundleManifest
    /// The payload files by path (`policy.yaml`, and what it refers to).
    package var payload: [String: [UInt8]]
    /// SHA-256 of the `.tpb` file as it was checked (lower-case hex): names it in the audit log.
    package var digest: String
    /// The ids of the trusted keys whose signatures verified.
    package var signers: [String]
}

/// Checks a `.tpb` file against the trust root, in the order TUF teaches: size and shape first
/// (no unbounded work on untrusted bytes), then signatures over the manifest's exact bytes, then
/// what the signed manifest says (organisation, version, expiry, appliance version), then that
/// the payload is exactly what it lists, and last the payload's own validation (injected: this
/// module knows nothing of policy semantics). Pure: reads no file and keeps no state.
package struct BundleVerifier: Sendable {
    /// Bounds on untrusted input.
    package struct Limits: Sendable {
        package var maxCompressedBytes = 4 << 20
        package var archive = TarArchive.Limits()

        package init(maxCompressedBytes: Int = 4 << 20, archive: TarArchive.Limits = TarArchive.Limits()) {
            self.maxCompressedBytes = maxCompressedBytes
            self.archive = archive
        }
    }

    package static let manifestName = "manifest.json"
    package static let signaturesName = "signatures.json"
    static let maxMetadataBytes = 256 << 10

    package var trust: BundleTrust
    /// The highest bundle version ever installed here (0: none).
    package var highestInstalled: UInt64
    /// The time expiry is judged at: never earlier than the license's time high-water mark, so
    /// a clock set back does not revive an expired bundle.
    package var now: Date
    /// This appliance's version (`1.4.0`).
    package var applianceVersion: String
    package var limits: Limits
    /// Validates the payload as the service would load it; throws a message on failure.
    package var validatePayload: @Sendable ([String: [UInt8]]) throws -> Void

    package init(
        trust: BundleTrust,
        highestInstalled: UInt64,
        now: Date,
        applianceVersion: String,
        limits: Limits = Limits(),
        validatePayload: @escaping @Sendable ([String: [UInt8]]) throws -> Void
    ) {
        self.trust = trust
        self.highestInstalled = highestInstalled
        self.now = now
        self.applianceVersion = applianceVersion
        self.limits = limits
        self.validatePayload = validatePayload
    }

    package func verify(_ file: [UInt8]) throws(BundleRefusal) -> VerifiedBundle {
        let (files, manifestBytes, signatures) = try Self.open(file, limits: limits)
        let manifest = try Self.manifest(manifestBytes)
        let signers = try checkSignatures(signatures, manifest: manifestBytes)
        try checkTerms(manifest)
        let payload = try Self.payload(files, manifest: manifest)
        do {
            try validatePayload(payload)
        } catch {
            throw BundleRefusal(.invalidPayload, "the bundle's policy does not validate: \(error)")
        }
        return VerifiedBundle(manifest: manifest, payload: payload, digest: Self.sha256Hex(file), signers: signers)
    }

    /// The archive's files, its manifest's exact bytes and its signatures, all within bounds.
    static func open(_ file: [UInt8], limits: Limits) throws(BundleRefusal) -> ([String: [UInt8]], Data, BundleSignatures) {
        let tar = try gunzip(file, limits: limits)
        let entries: [TarArchive.Entry]
        do { entries = try TarArchive.read(tar, limits: limits.archive) } catch {
            throw BundleRefusal(.badArchive, "not a valid bundle archive: \(error)")
        }
        let files = Dictionary(entries.map { ($0.path, $0.bytes) }, uniquingKeysWith: { first, _ in first })
        guard let manifest = files[manifestName] else { throw BundleRefusal(.badManifest, "the bundle has no \(manifestName)") }
        guard let signatures = files[signaturesName] else { throw BundleRefusal(.badManifest, "the bundle has no \(signaturesName)") }
        for (name, bytes) in [(manifestName, manifest), (signaturesName, signatures)] {
            do { try StrictJSON.check(Data(bytes), maxBytes: maxMetadataBytes, what: name) } catch {
                throw BundleRefusal(.badManifest, error.description)
            }
        }
        let decoded: BundleSignatures
        do { decoded = try JSONDecoder().decode(BundleSignatures.self, from: Data(signatures)) } catch {
            throw BundleRefusal(.badManifest, "\(signaturesName): expected {\"signatures\": [{\"key_id\", \"signature\"}]}: \(error)")
        }
        return (files, Data(manifest), decoded)
    }

    static func gunzip(_ file: [UInt8], limits: Limits) throws(BundleRefusal) -> [UInt8] {
        guard file.count <= limits.maxCompressedBytes else {
            throw BundleRefusal(.badArchive, "\(file.count) bytes, more than a bundle may be (\(limits.maxCompressedBytes))")
        }
        guard file.starts(with: [0x1F, 0x8B]) else { throw BundleRefusal(.badArchive, "not a gzip file (a .tpb is a gzip'd tar)") }
        var buffer = ByteBuffer(bytes: file)
        let inflated: ByteBuffer
        do {
            inflated = try buffer.decompress(with: .gzip(), maxSize: limits.archive.maxTotalBytes + 1 << 20)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw BundleRefusal(
                .badArchive,
                "it inflates to more than \(limits.archive.maxTotalBytes + 1 << 20) bytes (a decompression bomb?)"
            )
        } catch {
            throw BundleRefusal(.badArchive, "the gzip stream is damaged or cut short (\(error))")
        }
        guard buffer.readableBytes == 0 else { throw BundleRefusal(.badArchive, "bytes after the gzip stream") }
        return Array(inflated.readableBytesView)
    }

    static func manifest(_ bytes: Data) throws(BundleRefusal) -> BundleManifest {
        let manifest: BundleManifest
        do { manifest = try BundleManifest.decode(bytes) } catch {
            throw BundleRefusal(.badManifest, "\(manifestName): \(error)")
        }
        guard manifest.format == BundleManifest.currentFormat else {
            throw BundleRefusal(.badManifest, "\(manifestName): format '\(manifest.format)', expected '\(BundleManifest.currentFormat)'")
        }
        return manifest
    }

    /// The trusted keys whose signatures verify; a trusted key's bad signature refuses the
    /// bundle, and a key counts once however many times it signed or however many ids it has.
    func checkSignatures(_ signatures: BundleSignatures, manifest: Data) throws(BundleRefusal) -> [String] {
        guard !trust.keys.isEmpty, trust.threshold >= 1 else {
            throw BundleRefusal(.noTrust, "no policy-signing key is trusted here (activate a license that names them, or pin one)")
        }
        let message = BundleSignatures.message(manifest: manifest)
        var signers: [String] = []
        var counted: Set<Data> = []
        var unknown: [String] = []
        for entry in signatures.signatures {
            guard let raw = trust.keys[entry.keyID] else {
                unknown.append(entry.keyID)
                continue
            }
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
                let signature = Data(base64Encoded: entry.signature),
                key.isValidSignature(signature, for: message)
            else { throw BundleRefusal(.badSignature, "the signature of key \(entry.keyID) does not verify: the manifest was changed") }
            if counted.insert(raw).inserted { signers.append(entry.keyID) }
        }
        guard signers.count >= trust.threshold else {
            var message = "\(signers.count) distinct trusted key\(signers.count == 1 ? "" : "s") signed; \(trust.threshold) must"
            if !unknown.isEmpty { message += " (not trusted here: \(unknown.joined(separator: ", ")))" }
            throw BundleRefusal(.tooFewSignatures, message)
        }
        return signers
    }

    func checkTerms(_ manifest: BundleManifest) throws(BundleRefusal) {
        guard manifest.orgID == trust.orgID else {
            throw BundleRefusal(.wrongOrg, "the bundle is for organisation '\(manifest.orgID)', this appliance's is '\(trust.orgID)'")
        }
        guard manifest.bundleVersion > highestInstalled else {
            throw BundleRefusal(
                .notNewer,
                "version \(manifest.bundleVersion) is not newer than version \(highestInstalled), installed before "
                    + "(an older bundle is never imported again; 'tappass policy rollback' moves between installed versions)"
            )
        }
        if let expires = manifest.expires, now >= expires {
            throw BundleRefusal(.expired, "the bundle expired at \(expires.ISO8601Format()) (judged at \(now.ISO8601Format()))")
        }
        if let minimum = manifest.minApplianceVersion, Self.compare(applianceVersion, minimum) == .orderedAscending {
            throw BundleRefusal(.needsNewerAppliance, "the bundle needs appliance version \(minimum) or later; this is \(applianceVersion)")
        }
    }

    /// The payload: exactly the listed files, each with its size and hash.
    static func payload(_ files: [String: [UInt8]], manifest: BundleManifest) throws(BundleRefusal) -> [String: [UInt8]] {
        var payload: [String: [UInt8]] = [:]
        for listed in manifest.files {
            guard ![manifestName, signaturesName].contains(listed.path), payload[listed.path] == nil else {
                throw BundleRefusal(.badManifest, "\(manifestName): '\(listed.path)' is listed twice or is a reserved name")
            }
            guard let bytes = files[listed.path] else {
                throw BundleRefusal(.payloadMismatch, "\(listed.path): listed but not in the bundle")
            }
            guard bytes.count == listed.size, sha256Hex(bytes) == listed.sha256.lowercased() else {
                throw BundleRefusal(.payloadMismatch, "\(listed.path): its size or SHA-256 is not what the manifest lists (changed)")
            }
            payload[listed.path] = bytes
        }
        if let extra = files.keys.sorted().first(where: { payload[$0] == nil && ![manifestName, signaturesName].contains($0) }) {
            throw BundleRefusal(.payloadMismatch, "\(extra): in the bundle but not listed in the manifest")
        }
        guard payload["policy.yaml"] != nil else { throw BundleRefusal(.badManifest, "\(manifestName): no policy.yaml is listed") }
        return payload
    }

    /// Compares dotted version numbers numerically (`1.10.0` > `1.9.2`).
    static func compare(_ left: String, _ right: String) -> ComparisonResult {
        let a = left.split(separator: ".").map { Int($0) ?? 0 }
        let b = right.split(separator: ".").map { Int($0) ?? 0 }
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            if x != y { return x < y ? .orderedAscending : .orderedDescending }
        }
        return .orderedSame
    }

    /// SHA-256 in lower-case hex: bundle digests, manifest file hashes, key ids.
    package static func sha256Hex(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
