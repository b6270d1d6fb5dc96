package import Crypto
package import Foundation

/// A license file (`license.json`) as the vendor sends it: the terms' exact JSON bytes, base64,
/// with an Ed25519 signature over those bytes and the id of the vendor key that made it. Signing
/// the bytes as sent (not a re-encoding) means no canonical-JSON rules are needed to verify.
///
///     {"format": "tappass-license/1", "key_id": "…", "payload": "<base64>", "signature": "<base64>"}
package struct SignedLicense: Codable, Sendable, Equatable {
    package static let format = "tappass-license/1"

    package var format: String
    package var keyID: String
    package var payload: Data
    package var signature: Data

    enum CodingKeys: String, CodingKey {
        case format
        case keyID = "key_id"
        case payload
        case signature
    }

    /// Signs `terms` with a vendor key (the vendor's issuing tool; never run on an appliance).
    package static func sign(_ terms: LicenseTerms, keyID: String, with key: Curve25519.Signing.PrivateKey) throws -> SignedLicense {
        let payload = try LicenseJSON.encoder.encode(terms)
        return SignedLicense(format: format, keyID: keyID, payload: payload, signature: try key.signature(for: payload))
    }

    /// Reads the envelope only; nothing inside `payload` is trusted until verified.
    package static func parse(_ data: Data) throws(LicenseError) -> SignedLicense {
        try LicenseFileShape.check(data, what: "the license file")
        let envelope: SignedLicense
        do { envelope = try LicenseJSON.decoder.decode(SignedLicense.self, from: data) } catch {
            throw LicenseError(.malformed, "not a license file: \(LicenseJSON.describe(error))")
        }
        guard envelope.format == format else {
            throw LicenseError(.malformed, "field 'format': expected '\(format)', got '\(envelope.format)'")
        }
        return envelope
    }

    package func encoded() throws -> Data {
        try LicenseJSON.encoder.encode(self)
    }
}
