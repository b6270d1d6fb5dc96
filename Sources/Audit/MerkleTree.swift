import Crypto
package import Foundation

/// RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing over the audit log's leaf hashes.
///
/// Written here rather than taken from a package: no maintained Swift package implements RFC 9162
/// trees on Linux, and the part we need (root, inclusion path, and the compact "frontier" that
/// lets a pruned log go on proving) is short and fully specified. Tested against a direct
/// transcription of the RFC's recursive definitions.
package enum Merkle {
    /// HASH(0x01 ‖ left ‖ right)
    package static func node(_ left: Data, _ right: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: [1])
        hasher.update(data: left)
        hasher.update(data: right)
        return Data(hasher.finalize())
    }

    /// MTH of the empty tree: SHA-256 of nothing.
    package static let emptyRoot = Data(SHA256.hash(data: Data()))

    /// The largest power of two smaller than `n` (n > 1).
    static func split(_ n: Int64) -> Int64 {
        var k: Int64 = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// RFC 9162 §2.1.3.2: checks that `leaf` is at `index` in the tree of `size` leaves with `root`.
    package static func verifyInclusion(leaf: Data, index: Int64, size: Int64, path: [Data], root: Data) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index
        var sn = size - 1
        var r = leaf
        for p in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }
}

/// The roots of the perfect subtrees that make up a tree of `size` leaves, largest first: all a
/// log needs to go on appending and to compute its root, in O(log n) space.
package struct MerkleFrontier: Sendable, Equatable {
    package private(set) var size: Int64 = 0
    package private(set) var nodes: [Data] = []

    package init() {}

    package init(size: Int64, nodes: [Data]) throws(AuditError) {
        guard size >= 0, size.nonzeroBitCount == nodes.count, nodes.allSatisfy({ $0.count == 32 }) else {
            throw AuditError("a Merkle frontier of \(size) leaves needs \(size.nonzeroBitCount) hashes of 32 bytes, got \(nodes.count)")
        }
        self.size = size
        self.nodes = nodes
    }

    package mutating func append(_ leaf: Data) {
        var node = leaf
        var bits = size
        while bits & 1 == 1 {
            node = Merkle.node(nodes.removeLast(), node)
            bits >>= 1
        }
        nodes.append(node)
        size += 1
    }

    package var root: Data {
        guard var root = nodes.last else { return Merkle.emptyRoot }
        for node in nodes.dropLast().reversed() { root = Merkle.node(node, root) }
        return root
    }

    /// The subtrees as leaf ranges, largest first.
    var ranges: [Range<Int64>] {
        var result: [Range<Int64>] = []
        var start: Int64 = 0
        var bit: Int64 = 1 << 62
        while bit > 0 {
            if size & bit != 0 {
                result.append(start..<start + bit)
                start += bit
            }
            bit >>= 1
        }
        return result
    }
}

/// A tree whose first `base.size` leaves are known only through their frontier (they were
/// pruned) and whose later leaves are known one by one. Enough for the root at any size from
/// `base.size` on, and for inclusion paths of every leaf still held.
package struct MerkleTree {
    let base: MerkleFrontier
    let baseNodes: [Range<Int64>: Data]
    /// Leaves `base.size ..< base.size + leaves.count`.
    let leaves: [Data]

    package init(base: MerkleFrontier = MerkleFrontier(), leaves: [Data]) {
        self.base = base
        self.baseNodes = Dictionary(uniqueKeysWithValues: zip(base.ranges, base.nodes))
        self.leaves = leaves
    }

    package var size: Int64 { base.size + Int64(leaves.count) }

    /// MTH(D[start..<end]).
    func hash(_ range: Range<Int64>) throws(AuditError) -> Data {
        if let node = baseNodes[range] { return node }
        if range.count == 1 {
            guard range.lowerBound >= base.size else { throw AuditError("leaf \(range.lowerBound) was pruned") }
            return leaves[Int(range.lowerBound - base.size)]
        }
        guard range.upperBound > base.size || baseNodes[range] != nil else {
            throw AuditError("the subtree \(range) lies inside the pruned range")
        }
        let k = Merkle.split(Int64(range.count))
        return Merkle.node(try hash(range.lowerBound..<range.lowerBound + k), try hash(range.lowerBound + k..<range.upperBound))
    }

    package func root(size: Int64) throws(AuditError) -> Data {
        guard size >= base.size, size <= self.size else { throw AuditError("no tree of \(size) leaves in this log") }
        if size == base.size { return base.root }
        return try hash(0..<size)
    }

    /// RFC 9162 §2.1.3.1 PATH(index, D[0:size]).
    package func inclusionPath(index: Int64, size: Int64) throws(AuditError) -> [Data] {
        guard index >= base.size, index < size, size <= self.size else {
            throw AuditError("leaf \(index) is not in the held part of a tree of \(size) leaves")
        }
        var path: [Data] = []
        var range: Range<Int64> = 0..<size
        while range.count > 1 {
            let k = Merkle.split(Int64(range.count))
            let middle = range.lowerBound + k
            if index < middle {
                path.append(try hash(middle..<range.upperBound))
                range = range.lowerBound..<middle
            } else {
                path.append(try hash(range.lowerBound..<middle))
                range = middle..<range.upperBound
            }
        }
        return path.reversed()
    }
}
