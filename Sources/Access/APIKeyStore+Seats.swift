package import Foundation
import Synchronization

/// Who holds the license's seats: the users with an active key, in the order they got their
/// first one. With N seats the first N users hold them; a user beyond them is served only while
/// the grace period after a license with fewer seats lasts (``LicenseGate``).
extension APIKeyStore {
    /// Every user with an active key, the earliest first key first.
    package func seatOrder(now: Date = Date()) -> [String] {
        var first: [String: Date] = [:]
        for record in snapshot() where record.isActive(at: now) && record.id != "demo" {
            first[record.user] = min(first[record.user] ?? record.createdAt, record.createdAt)
        }
        return first.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
    }

    /// Whether `user` is among the first `seats` users of ``seatOrder(now:)``. Recomputed at most
    /// once a second and whenever the keys change, so the check costs a set lookup per request.
    package func holdsSeat(_ user: String, seats: Int, now: Date = Date()) -> Bool {
        seatHolders(seats: seats, now: now).contains(user)
    }

    package func seatHolders(seats: Int, now: Date = Date()) -> Set<String> {
        let version = keysVersion
        if let cached = seatCache.withLock({ $0 }), cached.version == version, cached.seats == seats,
            now.timeIntervalSince(cached.computed) < 1, now >= cached.computed
        {
            return cached.holders
        }
        let holders = Set(seatOrder(now: now).prefix(seats))
        seatCache.withLock { $0 = SeatCache(version: version, seats: seats, computed: now, holders: holders) }
        return holders
    }
}

struct SeatCache: Sendable {
    var version: Int
    var seats: Int
    var computed: Date
    var holders: Set<String>
}
