import Crypto
package import Foundation
import GRDB

/// A signed statement of the log's state after `size` records: the Merkle root, the hash chain
/// head and the frontier (so the log can be pruned up to here and still verify). Made every N
/// records or T seconds, on `audit prune`, and on demand for `audit checkpoint export`.
package struct AuditCheckpoint: Sendable, Codable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "checkpoint"

    package var size: Int64
    package var root: Data
    package var chain: Data
    package var timeMillis: Int64
    /// `periodic`, `prune` or `export`.
    package var kind: String
    /// The frontier's hashes, concatenated (32 bytes each).
    package var frontier: Data
    package var signature: Data

    enum CodingKeys: String, CodingKey {
        case size, root, chain
        case timeMillis = "time_ms"
        case kind, frontier, signature
    }

    package init(frontier: MerkleFrontier, chain: Data, time: Date, kind: String, signer: AuditSigner) throws {
        self.size = frontier.size
        self.root = frontier.root
        self.chain = chain
        self.timeMillis = Int64((time.timeIntervalSince1970 * 1000).rounded())
        self.kind = kind
        self.frontier = frontier.nodes.reduce(into: Data()) { $0.append($1) }
        self.signature = Data()
        self.signature = try signer.sign(signedMessage)
    }

    /// What the signature covers: every field, as text, so an auditor can check it with any Ed25519 tool.
    package var signedMessage: Data {
        Data(
            """
            tappass-audit-checkpoint/1
            size \(size)
            root \(root.hex)
            chain \(chain.hex)
            time \(timeMillis)
            kind \(kind)
            frontier \(frontier.hex)

            """.utf8
        )
    }

    package func hasValidSignature(publicKey: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: signedMessage)
    }

    package func merkleFrontier() throws(AuditError) -> MerkleFrontier {
        let nodes = stride(from: 0, to: frontier.count, by: 32).map {
            Data(frontier[frontier.startIndex + $0..<frontier.startIndex + $0 + 32])
        }
        return try MerkleFrontier(size: size, nodes: nodes)
    }

    package var time: Date { Date(timeIntervalSince1970: Double(timeMillis) / 1000) }
}

/// The file `audit checkpoint export` writes for an auditor to keep off the box.
package struct CheckpointFile: Codable, Sendable {
    package struct Entry: Codable, Sendable {
        package var size: Int64
        package var root: String
        package var chain: String
        package var time: Int64
        package var kind: String
        package var frontier: String
        package var signature: String
    }

    package var format = "tappass-audit-checkpoints/1"
    package var publicKey: String
    package var checkpoints: [Entry]

    enum CodingKeys: String, CodingKey {
        case format
        case publicKey = "public_key"
        case checkpoints
    }

    package init(publicKey: Data, checkpoints: [AuditCheckpoint]) {
        self.publicKey = publicKey.base64EncodedString()
        self.checkpoints = checkpoints.map {
            Entry(
                size: $0.size,
                root: $0.root.hex,
                chain: $0.chain.hex,
                time: $0.timeMillis,
                kind: $0.kind,
                frontier: $0.frontier.hex,
                signature: $0.signature.base64EncodedString()
            )
        }
    }

    /// Reads an exported file; every problem names the file and the field.
    package static func load(path: String) throws(AuditError) -> (publicKey: Data, checkpoints: [AuditCheckpoint]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw AuditError("\(path): cannot read the file") }
        let file: CheckpointFile
        do { file = try JSONDecoder().decode(CheckpointFile.self, from: data) } catch {
            throw AuditError("\(path): not a checkpoint file (expected JSON with 'format', 'public_key', 'checkpoints'): \(error)")
        }
        guard file.format == "tappass-audit-checkpoints/1" else {
            throw AuditError("\(path): format '\(file.format)' is not tappass-audit-checkpoints/1")
        }
        guard let key = Data(base64Encoded: file.publicKey), key.count == 32 else {
            throw AuditError("\(path): public_key: expected base64 of 32 bytes")
        }
        var checkpoints: [AuditCheckpoint] = []
        for (index, entry) in file.checkpoints.enumerated() {
            guard let root = Data(hex: entry.root), let chain = Data(hex: entry.chain), let frontier = Data(hex: entry.frontier),
                let signature = Data(base64Encoded: entry.signature)
            else {
                throw AuditError("\(path): checkpoints[\(index)]: root, chain and frontier must be hex, signature base64")
            }
            checkpoints.append(
                AuditCheckpoint(
                    size: entry.size,
                    root: root,
                    chain: chain,
                    timeMillis: entry.time,
                    kind: entry.kind,
                    frontier: frontier,
                    signature: signature
                )
            )
        }
        return (key, checkpoints)
    }
}

extension AuditCheckpoint {
    init(size: Int64, root: Data, chain: Data, timeMillis: Int64, kind: String, frontier: Data, signature: Data) {
        self.size = size
        self.root = root
        self.chain = chain
        self.timeMillis = timeMillis
        self.kind = kind
        self.frontier = frontier
        self.signature = signature
    }
}

extension Data {
    package var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    package init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }
}
