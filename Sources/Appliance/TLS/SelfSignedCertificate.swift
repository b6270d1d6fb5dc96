import Crypto
import Foundation
import SwiftASN1
import X509

/// The certificate a fresh install serves with until the customer installs their own: an ECDSA
/// P-256 key and a self-signed certificate for this host's name, `localhost` and the loopback
/// addresses, valid for two years. Made with swift-certificates, so the package needs no
/// `openssl` (not part of a minimal Debian install).
enum SelfSignedCertificate {
    static let validity: TimeInterval = 730 * 86_400

    /// PEM text of a new key and its certificate.
    static func make(hostNames: [String], now: Date = Date()) throws -> (certificate: String, key: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName(hostNames.first ?? "localhost")
            OrganizationName("TapPass Appliance (self-signed)")
        }
        var names: [GeneralName] = hostNames.map { .dnsName($0) }
        names.append(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])))
        names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))))
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(names)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(validity),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: .init(key)
        )
        return (try certificate.serializeAsPEM().pemString + "\n", key.pemRepresentation + "\n")
    }

    /// What an operator should hear about the certificate at `path`: nothing, or warnings
    /// (self-signed, expiring within 30 days, expired). Throws when it is not a PEM certificate.
    static func warnings(certificateAt path: String, now: Date = Date()) throws -> [String] {
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        let certificate = try Certificate(pemEncoded: pem)
        var warnings: [String] = []
        if certificate.issuer == certificate.subject {
            warnings.append("\(path): the TLS certificate is self-signed; clients must be told to trust it, or install one from your CA")
        }
        let left = certificate.notValidAfter.timeIntervalSince(now)
        if left <= 0 {
            warnings.append("\(path): the TLS certificate expired on \(certificate.notValidAfter)")
        } else if left < 30 * 86_400 {
            warnings.append("\(path): the TLS certificate expires in \(Int(left / 86_400)) days (\(certificate.notValidAfter))")
        }
        return warnings
    }
}
