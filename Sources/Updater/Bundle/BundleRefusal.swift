/// Why a bundle is refused: a stable code (for the audit event and scripts) and a sentence that
/// names what is wrong. A refused bundle changes nothing.
package struct BundleRefusal: Error, Equatable, CustomStringConvertible, Sendable {
    package enum Code: String, Sendable, CaseIterable {
        /// Not a gzip'd tar, cut short, or larger than a bundle can be (compressed or not).
        case badArchive = "bad_archive"
        /// `manifest.json` or `signatures.json` missing, not strict JSON, or not the format.
        case badManifest = "bad_manifest"
        /// A trusted key's signature does not verify.
        case badSignature = "bad_signature"
        /// Fewer distinct trusted keys signed than the threshold asks.
        case tooFewSignatures = "too_few_signatures"
        case wrongOrg = "wrong_org"
        /// The version is not higher than every version installed before.
        case notNewer = "not_newer"
        case expired
        case needsNewerAppliance = "needs_newer_appliance"
        /// A listed file is missing, or its hash or size differs, or a file is not listed.
        case payloadMismatch = "payload_mismatch"
        /// The payload does not validate (the policy does not parse).
        case invalidPayload = "invalid_payload"
        /// No trust is configured: no license with policy keys, no pinned key.
        case noTrust = "no_trust"
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code.rawValue): \(message)" }
}
