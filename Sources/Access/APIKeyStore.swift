import Crypto
package import Foundation
import GRDB
import Synchronization

/// API keys: created, listed and revoked in SQLite under the state folder, checked on every
/// request against an in-memory copy (the service is the only writer while it runs, so the copy
/// changes exactly when the database does).
package final class APIKeyStore: Sendable {
    /// Why a presented key was refused.
    package enum Refusal: String, Sendable, Error {
        case missing = "no API key was presented (Authorization: Bearer … or x-api-key)"
        case invalid = "the API key is not valid"
        case expired = "the API key has expired"
        case revoked = "the API key has been revoked"
    }

    private let database: DatabasePool
    private let keys: Mutex<[String: APIKeyRecord]>
    /// Bumped whenever `keys` changes (seat holders are recomputed then).
    private let version = Atomic<Int>(0)
    let seatCache = Mutex<SeatCache?>(nil)
    private let demoKey: String?
    package static let prefix = "tp_"

    /// Opens (creating and migrating if needed) `keys.sqlite` in `stateDirectory`.
    package init(stateDirectory: String, demoKey: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: stateDirectory + "/keys.sqlite", configuration: configuration)
        try Self.migrator.migrate(database)
        self.demoKey = demoKey
        keys = Mutex([:])
        try reload()
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-api-keys") { db in
            try db.create(table: "api_key") { table in
                table.primaryKey("id", .text)
                table.column("user", .text).notNull()
                table.column("team", .text).notNull()
                table.column("models", .text).notNull()
                table.column("created_at", .datetime).notNull()
                table.column("expires_at", .datetime)
                table.column("revoked_at", .datetime)
                table.column("salt", .blob).notNull()
                table.column("secret_hash", .blob).notNull()
            }
        }
        return migrator
    }

    /// Re-reads every key from the database.
    package func reload() throws {
        let records = try database.read { try APIKeyRecord.fetchAll($0) }
        keys.withLock { $0 = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) }) }
        version.add(1, ordering: .relaxed)
    }

    /// Creates a key; the returned plaintext is shown once and never stored. With a seat limit,
    /// a key for a user who holds no active key yet is refused (``SeatLimitReached``) when that
    /// many users already do; checked in the same transaction as the insert.
    package func create(
        user: String,
        team: String,
        models: [String] = [],
        expiresAt: Date? = nil,
        seatLimit: Int? = nil,
        now: Date = Date()
    ) throws -> (record: APIKeyRecord, key: String) {
        let id = Self.randomString(length: 12, alphabet: "abcdefghijkmnpqrstuvwxyz23456789")
        let secret = Self.randomString(length: 40, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var salt = Data(count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let record = APIKeyRecord(
            id: id,
            user: user,
            team: team,
            models: models,
            createdAt: now,
            expiresAt: expiresAt,
            revokedAt: nil,
            salt: salt,
            secretHash: Self.hash(secret: secret, salt: salt)
        )
        try database.write { db in
            if let seatLimit {
                let holders = Set(try APIKeyRecord.fetchAll(db).filter { $0.isActive(at: now) }.map(\.user))
                if !holders.contains(user), holders.count >= seatLimit { throw SeatLimitReached(seats: seatLimit, user: user) }
            }
            try record.insert(db)
        }
        keys.withLock { $0[id] = record }
        version.add(1, ordering: .relaxed)
        return (record, "\(Self.prefix)\(id)_\(secret)")
    }

    var keysVersion: Int { version.load(ordering: .relaxed) }

    /// The keys as the service holds them in memory.
    func snapshot() -> [APIKeyRecord] { keys.withLock { Array($0.values) } }

    package func list() throws -> [APIKeyRecord] {
        try database.read { try APIKeyRecord.order(Column("created_at")).fetchAll($0) }
    }

    /// Revokes a key at once; returns false when no such key exists.
    package func revoke(id: String, now: Date = Date()) throws -> APIKeyRecord? {
        let updated = try database.write { db -> APIKeyRecord? in
            guard var record = try APIKeyRecord.fetchOne(db, key: id) else { return nil }
            if record.revokedAt == nil {
                record.revokedAt = now
                try record.update(db)
            }
            return record
        }
        if let updated {
            keys.withLock { $0[id] = updated }
            version.add(1, ordering: .relaxed)
        }
        return updated
    }

    /// Checks a presented key. Constant-time comparison of the salted hash.
    package func authenticate(_ presented: String?, now: Date = Date()) -> Result<Principal, Refusal> {
        guard let presented, !presented.isEmpty else { return .failure(.missing) }
        if let demoKey, presented == demoKey {
            return .success(Principal(keyID: "demo", user: "demo", team: "demo", allowedModels: []))
        }
        guard presented.hasPrefix(Self.prefix) else { return .failure(.invalid) }
        let rest = presented.dropFirst(Self.prefix.count)
        guard let separator = rest.firstIndex(of: "_") else { return .failure(.invalid) }
        let id = String(rest[..<separator])
        let secret = rest[rest.index(after: separator)...]
        guard let record = keys.withLock({ $0[id] }) else { return .failure(.invalid) }
        let hash = Self.hash(secret: secret, salt: record.salt)
        guard Self.constantTimeEqual(hash, record.secretHash) else { return .failure(.invalid) }
        if record.revokedAt != nil { return .failure(.revoked) }
        if let expiresAt = record.expiresAt, expiresAt <= now { return .failure(.expired) }
        return .success(record.principal)
    }

    static func hash(secret: some StringProtocol, salt: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Data(secret.utf8))
        return Data(hasher.finalize())
    }

    static func constantTimeEqual(_ lhs: Data, _ rhs: Data) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }

    static func randomString(length: Int, alphabet: String) -> String {
        let characters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in characters[Int.random(in: 0..<characters.count, using: &generator)] })
    }
}
