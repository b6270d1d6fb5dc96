import ConfigFile
package import Foundation
import GRDB

/// One API key as stored: never the key itself, only a salted SHA-256 of its secret part.
package struct APIKeyRecord: Sendable, Codable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "api_key"

    package var id: String
    package var user: String
    package var team: String
    /// Model names or globs the key may use; empty means every routed model.
    package var models: [String]
    package var createdAt: Date
    package var expiresAt: Date?
    package var revokedAt: Date?
    package var salt: Data
    package var secretHash: Data

    enum CodingKeys: String, CodingKey {
        case id, user, team, models
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
        case salt
        case secretHash = "secret_hash"
    }

    /// Neither revoked nor expired at `now`: the key takes a license seat.
    package func isActive(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }

    package var principal: Principal {
        Principal(keyID: id, user: user, team: team, allowedModels: models)
    }
}

/// Who is calling, once their key checked out.
package struct Principal: Sendable, Equatable {
    package var keyID: String
    package var user: String
    package var team: String
    package var allowedModels: [String]

    package init(keyID: String, user: String, team: String, allowedModels: [String]) {
        self.keyID = keyID
        self.user = user
        self.team = team
        self.allowedModels = allowedModels
    }

    package func mayUse(model: String) -> Bool {
        allowedModels.isEmpty || allowedModels.contains { NamePattern.matches($0, model) }
    }
}
