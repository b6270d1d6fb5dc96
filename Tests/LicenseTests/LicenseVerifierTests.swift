import Crypto
import Foundation
import Testing

@testable import License

@Suite struct LicenseVerifierTests {
    typealias F = LicenseFixtures

    @Test func aVendorSignedLicenseForThisMachineVerifies() throws {
        let license = try F.verifier.verify(F.file(), at: F.now)
        #expect(license.terms == F.terms())
        #expect(license.keyID == F.keyID)
        #expect(license.grants("audit") && !license.grants("mcp"))
    }

    /// Each bad input is refused with its own code.
    @Test(arguments: [
        (Data("not json".utf8), LicenseError.Code.malformed),
        (Data(#"{"format":"tappass-license/1","key_id":"test-vendor-1","payload":"e30="}"#.utf8), .malformed),
        (LicenseFixtures.file(key: LicenseFixtures.otherKey), .badSignature),
        (LicenseFixtures.file(keyID: "retired-key"), .unknownKey),
        (LicenseFixtures.file(LicenseFixtures.terms(machine: LicenseFixtures.otherMachine)), .wrongMachine),
        (LicenseFixtures.file(LicenseFixtures.terms(notAfter: LicenseFixtures.now)), .expired),
        (LicenseFixtures.file(LicenseFixtures.terms(notBefore: LicenseFixtures.now + 60)), .notYetValid),
    ])
    func refusesBadInput(file: Data, code: LicenseError.Code) {
        #expect(throws: LicenseError.self) { try F.verifier.verify(file, at: F.now) }
        do { _ = try F.verifier.verify(file, at: F.now) } catch { #expect(error.code == code, "\(error)") }
    }

    @Test func anEditedPayloadBreaksTheSignature() throws {
        var envelope = try SignedLicense.parse(F.file())
        var text = String(decoding: envelope.payload, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"seats\" : 50", with: "\"seats\" : 5000")
        #expect(text.contains("5000"))
        envelope.payload = Data(text.utf8)
        #expect(throws: LicenseError(.badSignature, "the signature does not match the license terms (edited, or not signed by the vendor)"))
        {
            try F.verifier.verify(try envelope.encoded(), at: F.now)
        }
    }

    @Test func signedButInconsistentTermsNameTheField() throws {
        var terms = F.terms()
        terms.seats = 0
        #expect(throws: LicenseError(.malformed, "field 'seats': expected at least 1, got 0")) {
            try F.verifier.verify(F.file(terms), at: F.now)
        }
        terms = F.terms()
        terms.policyKeys[0].publicKey = "c2hvcnQ="
        #expect(throws: LicenseError(.malformed, "field 'policy_keys[0].public_key': expected base64 of a 32-byte Ed25519 public key")) {
            try F.verifier.verify(F.file(terms), at: F.now)
        }
    }

    @Test func aMissingFieldIsNamed() throws {
        let payload = Data(#"{"license_id":"x","customer":"c"}"#.utf8)
        let envelope = SignedLicense(
            format: SignedLicense.format,
            keyID: F.keyID,
            payload: payload,
            signature: try F.vendorKey.signature(for: payload)
        )
        #expect(throws: LicenseError(.malformed, "license terms: field 'org_id' is missing")) {
            try F.verifier.verify(try envelope.encoded(), at: F.now)
        }
    }

    @Test func anActivationRequestRoundTrips() throws {
        let request = ActivationRequest(machine: F.machine, hostname: "gw1", productVersion: "0.1.0", createdAt: F.now, requestID: "r1")
        #expect(try ActivationRequest.parse(request.encoded()) == request)
        #expect(throws: LicenseError.self) { try ActivationRequest.parse(Data(#"{"format":"other"}"#.utf8)) }
    }

    @Test func theBuiltInKeysHoldTheProductionKey() {
        #expect(VendorKeys.builtIn["tappass-2026-1"] != nil)
    }
}
