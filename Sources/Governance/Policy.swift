import ConfigFile
package import Detection

/// The organisation's governance policy (`policy.yaml`, schema version 1): what to do with each
/// kind of finding, which models each team may use, what the audit log may keep of content,
/// which destinations count as exfiltration, and the quotas. Defaults apply to everyone; a team
/// and then a key can override them. Read by ``PolicyReader``; documented in the README.
package struct Policy: Sendable, Equatable {
    package static let schemaVersion = 1

    /// A name for people (`default`, `acme-2026-11`), shown in `policy show` and audit events.
    package var name: String
    /// Rules for everyone.
    package var defaults: Rules
    /// Overrides by team name, then by key id (a key's rules win over its team's).
    package var teams: [String: Rules]
    package var keys: [String: Rules]
    package var exfiltration: ExfiltrationRules
    /// The SHA-256 of the document it was read from (hex), set by ``PolicyReader``: with a signed
    /// bundle's version, how an audit record names the policy that judged a request.
    package var digest: String = ""

    package init(
        name: String,
        defaults: Rules,
        teams: [String: Rules] = [:],
        keys: [String: Rules] = [:],
        exfiltration: ExfiltrationRules = .init()
    ) {
        self.name = name
        self.defaults = defaults
        self.teams = teams
        self.keys = keys
        self.exfiltration = exfiltration
    }

    /// What a policy says at one level; nil and empty mean "as the level above".
    package struct Rules: Sendable, Equatable {
        /// By finding type (`email`) or category (`pii`); a type wins over its category.
        package var actions: [String: PolicyAction] = [:]
        package var models: ModelRules?
        package var auditContent: AuditContent?
        /// For the defaults: the budget of every key (`per_key`) and every team (`per_team`).
        /// For a team: its own budget; for a key: its own.
        package var quota: QuotaLimits?
        package var perTeamQuota: QuotaLimits?

        package init() {}
    }

    /// Glob lists: a model is usable when it matches `allow` (empty: any) and not `deny`.
    package struct ModelRules: Sendable, Equatable {
        package var allow: [String] = []
        package var deny: [String] = []

        package init(allow: [String] = [], deny: [String] = []) {
            self.allow = allow
            self.deny = deny
        }

        package func permits(_ model: String) -> Bool {
            (allow.isEmpty || allow.contains { NamePattern.matches($0, model) }) && !deny.contains { NamePattern.matches($0, model) }
        }
    }

    package enum AuditContent: String, Sendable, CaseIterable {
        /// Keep no content; records still hold findings (types and actions, never values).
        case none
        /// Keep content with every finding replaced by its placeholder.
        case redacted
        case full
    }

    /// The policy as it applies to one caller: their key's settings over their team's over
    /// the defaults.
    package func effective(key keyID: String, team teamName: String) -> EffectivePolicy {
        let team = teams[teamName]
        let key = keys[keyID]
        var actions = defaults.actions
        // A type set at a lower level must not survive a category set at a higher one.
        for level in [team, key].compactMap(\.self) {
            for (name, action) in level.actions {
                if let category = Finding.Category(rawValue: name) {
                    for type in actions.keys where DetectorCatalog.category(of: type, exfiltration: exfiltration) == category {
                        actions[type] = nil
                    }
                }
                actions[name] = action
            }
        }
        return EffectivePolicy(
            actions: actions,
            models: [defaults.models, team?.models, key?.models].compactMap(\.self),
            auditContent: key?.auditContent ?? team?.auditContent ?? defaults.auditContent ?? .redacted,
            keyQuota: key?.quota ?? defaults.quota,
            teamQuota: team?.quota ?? defaults.perTeamQuota
        )
    }
}

/// What to do with a finding, weakest first: a request's verdict is its strongest action.
package enum PolicyAction: String, Sendable, CaseIterable, Comparable, Codable {
    case allow, flag, redact, block

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Requests and tokens a key or a team may use. Windows are calendar minutes and UTC days.
package struct QuotaLimits: Sendable, Equatable {
    package var requestsPerMinute: Int64?
    package var tokensPerMinute: Int64?
    package var tokensPerDay: Int64?

    package init(requestsPerMinute: Int64? = nil, tokensPerMinute: Int64? = nil, tokensPerDay: Int64? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.tokensPerDay = tokensPerDay
    }

    package var limitsTokens: Bool { tokensPerMinute != nil || tokensPerDay != nil }
}
