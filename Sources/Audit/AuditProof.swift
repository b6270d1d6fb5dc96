package import Foundation
import GRDB

/// `audit prove --seq N`: an RFC 9162 inclusion proof that record N is in the tree a signed
/// checkpoint commits to. Anyone with the record, the proof and the appliance's public key can
/// check it (``verify(publicKey:)``) without the database.
package struct InclusionProof: Codable, Sendable {
    package var seq: Int64
    package var leafHash: String
    package var treeSize: Int64
    package var root: String
    package var path: [String]
    package var checkpoint: CheckpointFile.Entry

    enum CodingKeys: String, CodingKey {
        case seq
        case leafHash = "leaf_hash"
        case treeSize = "tree_size"
        case root, path, checkpoint
    }

    /// Builds the proof against the first checkpoint that covers `seq` (make one first with
    /// `audit checkpoint export` for the newest records).
    package static func make(store: AuditStore, seq: Int64) throws -> InclusionProof {
        try store.read { db in
            guard let checkpoint = try AuditCheckpoint.filter(Column("size") >= seq).order(Column("size")).fetchOne(db) else {
                throw AuditError("no checkpoint covers record \(seq) yet; run 'tappass audit checkpoint export' to make one")
            }
            var base = MerkleFrontier()
            if let prune = try AuditStore.pruneBase(db) { base = try prune.merkleFrontier() }
            guard seq > base.size else { throw AuditError("record \(seq) was pruned (the log starts at \(base.size + 1))") }
            let leaves = try Data.fetchAll(
                db,
                sql: "SELECT leaf_hash FROM entry WHERE seq > ? AND seq <= ? ORDER BY seq",
                arguments: [base.size, checkpoint.size]
            )
            let tree = MerkleTree(base: base, leaves: leaves)
            guard tree.size == checkpoint.size else {
                throw AuditError("records are missing before \(checkpoint.size); run 'tappass audit verify'")
            }
            let root = try tree.root(size: checkpoint.size)
            guard root == checkpoint.root else {
                throw AuditError("the log does not match its checkpoint at \(checkpoint.size); run 'tappass audit verify'")
            }
            let index = seq - 1
            let path = try tree.inclusionPath(index: index, size: checkpoint.size)
            return InclusionProof(
                seq: seq,
                leafHash: leaves[Int(index - base.size)].hex,
                treeSize: checkpoint.size,
                root: root.hex,
                path: path.map(\.hex),
                checkpoint: CheckpointFile(publicKey: Data(), checkpoints: [checkpoint]).checkpoints[0]
            )
        }
    }

    /// Checks the path against the root, and the root against the checkpoint's signature.
    package func verify(publicKey: Data) -> Bool {
        guard let leaf = Data(hex: leafHash), let root = Data(hex: root),
            let signature = Data(base64Encoded: checkpoint.signature),
            let chain = Data(hex: checkpoint.chain), let frontier = Data(hex: checkpoint.frontier)
        else { return false }
        let path = self.path.compactMap { Data(hex: $0) }
        guard path.count == self.path.count else { return false }
        let signed = AuditCheckpoint(
            size: checkpoint.size,
            root: root,
            chain: chain,
            timeMillis: checkpoint.time,
            kind: checkpoint.kind,
            frontier: frontier,
            signature: signature
        )
        return checkpoint.size == treeSize && checkpoint.root == self.root && signed.hasValidSignature(publicKey: publicKey)
            && Merkle.verifyInclusion(leaf: leaf, index: seq - 1, size: treeSize, path: path, root: root)
    }
}
