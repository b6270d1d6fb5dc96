import Audit
import Crypto
import Foundation
import Testing

/// Checks the tree code against a direct transcription of RFC 9162 §2.1.1 and §2.1.3.1.
@Suite struct MerkleTreeTests {
    static func leaf(_ i: Int) -> Data {
        Data(SHA256.hash(data: Data([0]) + Data("entry \(i)".utf8)))
    }

    /// MTH(D[n]) straight from the RFC.
    static func referenceRoot(_ leaves: ArraySlice<Data>) -> Data {
        if leaves.isEmpty { return Data(SHA256.hash(data: Data())) }
        if leaves.count == 1 { return leaves.first! }
        var k = 1
        while k << 1 < leaves.count { k <<= 1 }
        let start = leaves.startIndex
        return Merkle.node(referenceRoot(leaves[start..<start + k]), referenceRoot(leaves[(start + k)...]))
    }

    /// PATH(m, D[n]) straight from the RFC.
    static func referencePath(_ m: Int, _ leaves: ArraySlice<Data>) -> [Data] {
        if leaves.count <= 1 { return [] }
        var k = 1
        while k << 1 < leaves.count { k <<= 1 }
        let start = leaves.startIndex
        if m < k {
            return referencePath(m, leaves[start..<start + k]) + [referenceRoot(leaves[(start + k)...])]
        }
        return referencePath(m - k, leaves[(start + k)...]) + [referenceRoot(leaves[start..<start + k])]
    }

    @Test func frontierRootMatchesTheRFCForEverySizeUpTo70() {
        let leaves = (0..<70).map(Self.leaf)
        var frontier = MerkleFrontier()
        #expect(frontier.root == Self.referenceRoot([]))
        for n in 1...70 {
            frontier.append(leaves[n - 1])
            #expect(frontier.root == Self.referenceRoot(leaves[0..<n]), "size \(n)")
            #expect(frontier.nodes.count == n.nonzeroBitCount)
        }
    }

    @Test func inclusionPathsMatchTheRFCAndVerify() throws {
        let leaves = (0..<37).map(Self.leaf)
        let tree = MerkleTree(leaves: leaves)
        for size in 1...37 {
            let root = try tree.root(size: Int64(size))
            #expect(root == Self.referenceRoot(leaves[0..<size]))
            for index in 0..<size {
                let path = try tree.inclusionPath(index: Int64(index), size: Int64(size))
                #expect(path == Self.referencePath(index, leaves[0..<size]), "leaf \(index) of \(size)")
                #expect(Merkle.verifyInclusion(leaf: leaves[index], index: Int64(index), size: Int64(size), path: path, root: root))
                // The wrong leaf, index or root never verifies.
                #expect(!Merkle.verifyInclusion(leaf: Self.leaf(999), index: Int64(index), size: Int64(size), path: path, root: root))
                if size > 1 {
                    #expect(
                        !Merkle.verifyInclusion(
                            leaf: leaves[index],
                            index: Int64((index + 1) % size),
                            size: Int64(size),
                            path: path,
                            root: root
                        )
                    )
                }
            }
        }
    }

    @Test func aPrunedTreeStillGivesTheSameRootsAndPaths() throws {
        let leaves = (0..<45).map(Self.leaf)
        let full = MerkleTree(leaves: leaves)
        for cut in [1, 3, 7, 8, 13, 16, 21, 32, 44] {
            var base = MerkleFrontier()
            for leaf in leaves[0..<cut] { base.append(leaf) }
            let restored = try MerkleFrontier(size: base.size, nodes: base.nodes)
            let pruned = MerkleTree(base: restored, leaves: Array(leaves[cut...]))
            for size in cut...45 {
                #expect(try pruned.root(size: Int64(size)) == full.root(size: Int64(size)), "cut \(cut) size \(size)")
                for index in cut..<size {
                    #expect(
                        try pruned.inclusionPath(index: Int64(index), size: Int64(size))
                            == full.inclusionPath(index: Int64(index), size: Int64(size))
                    )
                }
            }
            #expect(throws: AuditError.self) { try pruned.inclusionPath(index: Int64(cut - 1), size: 45) }
        }
    }

    @Test func aFrontierWithTheWrongNumberOfNodesIsRefused() {
        #expect(throws: AuditError.self) { try MerkleFrontier(size: 5, nodes: [Self.leaf(1)]) }
    }
}
