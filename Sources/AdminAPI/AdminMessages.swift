package import Access
package import Foundation
package import Governance

/// What the admin CLI and the service exchange over the admin socket.
package struct KeyCreateRequest: Codable, Sendable {
    package var user: String
    package var team: String
    package var models: [String]
    package var expiresAt: Date?

    package init(user: String, team: String, models: [String], expiresAt: Date?) {
        self.user = user
        self.team = team
        self.models = models
        self.expiresAt = expiresAt
    }
}

/// A key as shown to an administrator: never the secret or its hash.
package struct KeySummary: Codable, Sendable, Equatable {
    package var id: String
    package var user: String
    package var team: String
    package var models: [String]
    package var createdAt: Date
    package var expiresAt: Date?
    package var revokedAt: Date?
    /// For an active key under a license: `held` (its user holds a seat) or `over` (beyond the
    /// seats); nil while evaluating or when not known (no service running).
    package var seat: String?

    package init(_ record: APIKeyRecord) {
        id = record.id
        user = record.user
        team = record.team
        models = record.models
        createdAt = record.createdAt
        expiresAt = record.expiresAt
        revokedAt = record.revokedAt
    }
}

package struct KeyCreateResponse: Codable, Sendable {
    package var key: String
    package var summary: KeySummary

    package init(key: String, summary: KeySummary) {
        self.key = key
        self.summary = summary
    }
}

package struct AuditPruneRequest: Codable, Sendable {
    package var before: Date

    package init(before: Date) {
        self.before = before
    }
}

/// The policy in force: its name and where it came from.
package struct PolicySummary: Codable, Sendable {
    package var name: String
    package var source: String
    /// As audit records name it: `bundle:N` or `sha256:` and 16 hex digits.
    package var version: String
    /// The SHA-256 of the policy document (hex).
    package var digest: String

    package init(_ active: PolicyStore.Active) {
        self.name = active.policy.name
        self.source = active.source
        self.version = active.version
        self.digest = active.policy.digest
    }
}

package struct AdminErrorBody: Codable, Sendable {
    package var error: String
}

extension JSONEncoder {
    package static var admin: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension JSONDecoder {
    package static var admin: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// What a configuration reload did: the sections now in force and those that wait for a restart.
package struct ConfigReloadSummary: Codable, Sendable, Equatable {
    package var source: String
    package var applied: [String]
    package var restartRequired: [String]

    package init(source: String, applied: [String], restartRequired: [String]) {
        self.source = source
        self.applied = applied
        self.restartRequired = restartRequired
    }
}

/// A reload's outcome: its summary, or why the file was refused (the running configuration stays).
package enum ConfigReloadOutcome: Sendable {
    case reloaded(ConfigReloadSummary)
    case rejected(String)
}

/// `tappass status`: whether the service is ready and, when not, why (what the unauthenticated
/// `/readyz` does not tell strangers), with the systemd status line.
package struct ServiceStatus: Codable, Sendable, Equatable {
    package var ready: Bool
    package var reasons: [String]
    package var status: String

    package init(ready: Bool, reasons: [String], status: String) {
        self.ready = ready
        self.reasons = reasons
        self.status = status
    }
}
