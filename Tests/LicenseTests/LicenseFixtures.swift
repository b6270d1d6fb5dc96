import Crypto
import Foundation

@testable import License

/// Throwaway vendor keys, a fixed clock and a machine, for license tests.
enum LicenseFixtures {
    static let vendorKey = Curve25519.Signing.PrivateKey()
    static let otherKey = Curve25519.Signing.PrivateKey()
    static let policyKey = Curve25519.Signing.PrivateKey()
    static let keyID = "test-vendor-1"
    static let vendorKeys = VendorKeys([keyID: vendorKey.publicKey])
    static let machine = try! MachineFingerprint(machineID: "0123456789abcdef0123456789abcdef")
    static let otherMachine = try! MachineFingerprint(machineID: "fedcba9876543210fedcba9876543210")
    /// 2026-11-29T12:00:00Z
    static let now = Date(timeIntervalSince1970: 1_796_040_000)
    static let day: TimeInterval = 86_400

    static func terms(
        id: String = "lic-1",
        seats: Int = 50,
        machine: MachineFingerprint = machine,
        issuedAt: Date = now.addingTimeInterval(-day),
        notBefore: Date = now.addingTimeInterval(-day),
        notAfter: Date = now.addingTimeInterval(365 * day)
    ) -> LicenseTerms {
        LicenseTerms(
            licenseID: id,
            customer: "Acme Corp",
            orgID: "acme",
            edition: "enterprise",
            entitlements: ["gateway", "governance", "audit"],
            seats: seats,
            issuedAt: issuedAt,
            notBefore: notBefore,
            notAfter: notAfter,
            machine: machine.value,
            policyKeys: [.init(id: "ciso", publicKey: policyKey.publicKey.rawRepresentation.base64EncodedString())]
        )
    }

    static func file(_ terms: LicenseTerms = terms(), key: Curve25519.Signing.PrivateKey = vendorKey, keyID: String = keyID) -> Data {
        try! SignedLicense.sign(terms, keyID: keyID, with: key).encoded()
    }

    static var verifier: LicenseVerifier { LicenseVerifier(vendorKeys: vendorKeys, machine: machine) }
}
