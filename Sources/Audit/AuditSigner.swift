package import Crypto
package import Foundation

/// What signs the log's checkpoints, handed in by whoever opens the log (the appliance's own
/// Ed25519 key in the service): the public half, which verifiers check against, and a signing
/// function.
package struct AuditSigner: Sendable {
    package let publicKey: Data
    private let signature: @Sendable (Data) throws -> Data

    package init(publicKey: Data, sign: @escaping @Sendable (Data) throws -> Data) {
        self.publicKey = publicKey
        self.signature = sign
    }

    package func sign(_ message: Data) throws -> Data {
        try signature(message)
    }

    /// Signs with an Ed25519 private key.
    package init(privateKey: Curve25519.Signing.PrivateKey) {
        self.init(publicKey: privateKey.publicKey.rawRepresentation, sign: { try privateKey.signature(for: $0) })
    }
}
