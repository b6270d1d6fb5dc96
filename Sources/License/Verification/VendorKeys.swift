package import Crypto
import Foundation

/// The vendor's license-signing public keys, compiled in (a license cannot bring its own trust
/// anchor), each under a key id so the vendor can rotate: a new key is added here, licenses
/// signed with the old one keep verifying until its id is removed.
package struct VendorKeys: Sendable {
    package let keys: [String: Curve25519.Signing.PublicKey]

    package init(_ keys: [String: Curve25519.Signing.PublicKey]) {
        self.keys = keys
    }

    package subscript(keyID: String) -> Curve25519.Signing.PublicKey? { keys[keyID] }

    /// The keys this build trusts. The private half of the production key is held by the vendor,
    /// never in this repository. Debug builds (the test suites, `make demo`) also trust the
    /// development key whose private half is `Tests/Fixtures/license/development-vendor.key`;
    /// release builds (the .deb) do not.
    package static let builtIn: VendorKeys = {
        var keys = ["tappass-2026-1": "/h8qcv0dDcYWuqvbsdOm2f3p6FfhRi58CLqw/C7M0aQ="]
        #if DEBUG
        keys[developmentKeyID] = "zlJOc0COpIXgFuEIfAOErkm88Evf6OXTZUGe8FzTrNo="
        #endif
        return VendorKeys(keys.mapValues { try! Curve25519.Signing.PublicKey(rawRepresentation: Data(base64Encoded: $0)!) })
    }()

    package static let developmentKeyID = "tappass-development"
}
