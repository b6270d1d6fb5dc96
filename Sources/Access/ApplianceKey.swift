package import Crypto
package import Foundation

/// The appliance's own Ed25519 key pair, made once per host and never leaving it: it signs audit
/// checkpoints. `keys/appliance.key` (mode 0600) holds the private half as base64,
/// `keys/appliance.pub` the public half, which auditors keep with exported checkpoints.
package struct ApplianceKey: Sendable {
    package let privateKey: Curve25519.Signing.PrivateKey

    package var publicKey: Data { privateKey.publicKey.rawRepresentation }

    package init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
    }

    /// Loads the key pair from `stateDirectory/keys`, making it the first time.
    package static func loadOrCreate(stateDirectory: String) throws -> ApplianceKey {
        let folder = stateDirectory + "/keys"
        let path = folder + "/appliance.key"
        if FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let raw = Data(base64Encoded: text), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
                throw ApplianceKeyError("\(path): expected a base64 Ed25519 private key (32 bytes)")
            }
            return ApplianceKey(privateKey: key)
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = Curve25519.Signing.PrivateKey()
        let created = FileManager.default.createFile(
            atPath: path,
            contents: Data((key.rawRepresentation.base64EncodedString() + "\n").utf8),
            attributes: [.posixPermissions: 0o600]
        )
        guard created else { throw ApplianceKeyError("\(path): cannot write the appliance key") }
        try Data((key.publicKey.rawRepresentation.base64EncodedString() + "\n").utf8).write(
            to: URL(fileURLWithPath: folder + "/appliance.pub")
        )
        return ApplianceKey(privateKey: key)
    }

    /// The public half from `stateDirectory/keys/appliance.pub`, for commands that only verify.
    package static func publicKey(stateDirectory: String) throws -> Data {
        let path = stateDirectory + "/keys/appliance.pub"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ApplianceKeyError("\(path): cannot read the appliance public key")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32 else {
            throw ApplianceKeyError("\(path): expected a base64 Ed25519 public key (32 bytes)")
        }
        return raw
    }

    package func sign(_ message: Data) throws -> Data {
        try privateKey.signature(for: message)
    }
}

/// The appliance key cannot be read or written, in words for an operator.
package struct ApplianceKeyError: Error, CustomStringConvertible, Sendable {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
