package import Crypto
package import Foundation

/// An organisation's policy-signing key pair, made on an offline workstation (`tappass policy
/// keygen`). The private file holds base64 of the raw 32-byte Ed25519 key (mode 0600), the
/// `.pub` file base64 of the raw public key. A key is named by its id: the SHA-256 of the raw
/// public key, lower-case hex, which licenses and `policy trust` name too.
package struct BundleSigningKey: Sendable {
    package let privateKey: Curve25519.Signing.PrivateKey

    package init(privateKey: Curve25519.Signing.PrivateKey = .init()) {
        self.privateKey = privateKey
    }

    package var publicKey: Data { privateKey.publicKey.rawRepresentation }
    package var keyID: String { Self.keyID(publicKey) }

    package static func keyID(_ publicKey: Data) -> String {
        BundleVerifier.sha256Hex(publicKey)
    }

    /// Reads a private key file, saying which file and what was expected.
    package static func load(path: String) throws -> BundleSigningKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyFileError("\(path): cannot read the signing key")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw KeyFileError("\(path): expected base64 of a 32-byte Ed25519 private key") }
        return BundleSigningKey(privateKey: key)
    }

    /// Reads a public key file (`NAME.pub`).
    package static func loadPublic(path: String) throws -> Data {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyFileError("\(path): cannot read the public key")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32,
            (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil
        else { throw KeyFileError("\(path): expected base64 of a 32-byte Ed25519 public key") }
        return raw
    }

    /// Writes `path` (mode 0600, refusing to overwrite) and `path.pub`.
    package func write(to path: String) throws {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: path), !manager.fileExists(atPath: path + ".pub") else {
            throw KeyFileError("\(path): already exists; a signing key is never overwritten")
        }
        guard
            manager.createFile(
                atPath: path,
                contents: Data((privateKey.rawRepresentation.base64EncodedString() + "\n").utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else { throw KeyFileError("\(path): cannot write the signing key") }
        guard manager.createFile(atPath: path + ".pub", contents: Data((publicKey.base64EncodedString() + "\n").utf8)) else {
            throw KeyFileError("\(path).pub: cannot write the public key")
        }
    }
}

/// A key file cannot be read or written, in words for the operator.
package struct KeyFileError: Error, CustomStringConvertible, Sendable {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// Whose signatures a bundle needs: the organisation it must name, the trusted keys by id (raw
/// Ed25519 public keys), and how many distinct keys must sign.
package struct BundleTrust: Sendable, Equatable {
    package var orgID: String
    package var keys: [String: Data]
    package var threshold: Int

    package init(orgID: String, keys: [String: Data], threshold: Int) {
        self.orgID = orgID
        self.keys = keys
        self.threshold = threshold
    }
}
