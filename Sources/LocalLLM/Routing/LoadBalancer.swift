/// Chooses a host for one request: weighted least-outstanding-requests, with optional affinity.
///
/// Pure: it sees snapshots and returns candidate indices in preference order, so the caller can
/// fall back to the next one when a host turns out to be full or its breaker refuses.
package enum LoadBalancer {
    package struct Candidate: Sendable, Equatable {
        package var index: Int
        package var id: String
        package var weight: Int
        package var outstanding: Int
        package var maxConcurrent: Int

        package init(index: Int, id: String, weight: Int, outstanding: Int, maxConcurrent: Int) {
            self.index = index
            self.id = id
            self.weight = weight
            self.outstanding = outstanding
            self.maxConcurrent = maxConcurrent
        }

        var hasRoom: Bool { outstanding < maxConcurrent }
        /// Load relative to weight; lower is better.
        var load: Double { Double(outstanding + 1) / Double(max(weight, 1)) }
    }

    /// Orders `candidates` (already filtered to healthy hosts) by preference.
    ///
    /// - affinityKey: when given, the host chosen by weighted rendezvous hashing on the key comes
    ///   first while it has room, so one user's requests keep landing on the same KV cache.
    /// - rotation: a counter that breaks ties between equally loaded hosts.
    package static func order(_ candidates: [Candidate], affinityKey: String?, rotation: Int) -> [Int] {
        let open = candidates.filter(\.hasRoom)
        guard !open.isEmpty else { return [] }
        let count = open.count
        var ranked = open.enumerated().sorted { lhs, rhs in
            if lhs.element.load != rhs.element.load { return lhs.element.load < rhs.element.load }
            // Equal load: rotate which one wins so traffic spreads.
            return (lhs.offset - rotation % count + count) % count < (rhs.offset - rotation % count + count) % count
        }.map(\.element)
        if let affinityKey, let preferred = rendezvous(open, key: affinityKey),
            let position = ranked.firstIndex(where: { $0.index == preferred.index })
        {
            ranked.insert(ranked.remove(at: position), at: 0)
        }
        return ranked.map(\.index)
    }

    /// Weighted rendezvous (highest random weight) hashing: stable as hosts come and go.
    static func rendezvous(_ candidates: [Candidate], key: String) -> Candidate? {
        candidates.max { score($0, key) < score($1, key) }
    }

    private static func score(_ candidate: Candidate, _ key: String) -> Double {
        let hash = fnv1a(key, candidate.id)
        // Map to (0, 1) exclusive, then -w / ln(u) as in weighted rendezvous hashing.
        let unit = (Double(hash >> 11) + 0.5) / Double(1 << 53)
        return -Double(max(candidate.weight, 1)) / log(unit)
    }

    private static func fnv1a(_ key: String, _ id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0xff) &* 0x100_0000_01b3
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        // Final avalanche (splitmix64) so close keys spread.
        hash ^= hash >> 30
        hash &*= 0xbf58_476d_1ce4_e5b9
        hash ^= hash >> 27
        hash &*= 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
