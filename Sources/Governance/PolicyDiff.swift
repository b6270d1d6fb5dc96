import Detection

/// Two policies compared rule by rule, for a person deciding whether to import a bundle
/// (`tappass policy verify`). Each rule is named by its path in `policy.yaml`
/// (`actions.secret`, `teams.legal.models.deny`, `exfiltration.domains`); a list's items are
/// compared one by one, so a domain added to a long blocklist is one line, not the whole list.
package struct PolicyDiff: Sendable, Equatable {
    package enum Change: Sendable, Equatable {
        case added(rule: String, value: String)
        case removed(rule: String, value: String)
        case changed(rule: String, from: String, to: String)
    }

    /// In the order of the rule paths, so the same two policies always print alike.
    package let changes: [Change]

    package init(from old: Policy, to new: Policy) {
        let before = Self.rules(old)
        let after = Self.rules(new)
        var changes: [(String, Change)] = []
        for (rule, value) in after.scalars {
            switch before.scalars[rule] {
            case nil: changes.append((rule, .added(rule: rule, value: value)))
            case let previous? where previous != value: changes.append((rule, .changed(rule: rule, from: previous, to: value)))
            default: break
            }
        }
        for (rule, value) in before.scalars where after.scalars[rule] == nil {
            changes.append((rule, .removed(rule: rule, value: value)))
        }
        for item in after.items.subtracting(before.items) {
            changes.append((item.rule + "\u{0}" + item.value, .added(rule: item.rule, value: item.value)))
        }
        for item in before.items.subtracting(after.items) {
            changes.append((item.rule + "\u{0}" + item.value, .removed(rule: item.rule, value: item.value)))
        }
        self.changes = changes.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// One line per change: `+ rule: value`, `- rule: value`, `~ rule: old -> new`.
    package var lines: [String] {
        changes.map { change in
            switch change {
            case .added(let rule, let value): "+ \(rule): \(value)"
            case .removed(let rule, let value): "- \(rule): \(value)"
            case .changed(let rule, let from, let to): "~ \(rule): \(from) -> \(to)"
            }
        }
    }

    struct Item: Hashable {
        var rule: String
        var value: String
    }

    /// A policy flattened: single-valued rules by path, list items as (path, item) pairs.
    static func rules(_ policy: Policy) -> (scalars: [String: String], items: Set<Item>) {
        var scalars: [String: String] = ["name": policy.name]
        var items: Set<Item> = []
        func add(_ rules: Policy.Rules, at prefix: String, defaults: Bool) {
            for (name, action) in rules.actions { scalars[prefix + "actions." + name] = action.rawValue }
            if let models = rules.models {
                for pattern in models.allow { items.insert(Item(rule: prefix + "models.allow", value: pattern)) }
                for pattern in models.deny { items.insert(Item(rule: prefix + "models.deny", value: pattern)) }
            }
            if let content = rules.auditContent { scalars[prefix + "audit_content"] = content.rawValue }
            let quotas =
                defaults ? [("quotas.per_key.", rules.quota), ("quotas.per_team.", rules.perTeamQuota)] : [("quotas.", rules.quota)]
            for (path, limits) in quotas {
                guard let limits else { continue }
                let fields = [
                    ("requests_per_minute", limits.requestsPerMinute), ("tokens_per_minute", limits.tokensPerMinute),
                    ("tokens_per_day", limits.tokensPerDay),
                ]
                for (field, value) in fields {
                    if let value { scalars[prefix + path + field] = String(value) }
                }
            }
        }
        add(policy.defaults, at: "", defaults: true)
        for (team, rules) in policy.teams { add(rules, at: "teams.\(team).", defaults: false) }
        for (key, rules) in policy.keys { add(rules, at: "keys.\(key).", defaults: false) }
        for domain in policy.exfiltration.domains { items.insert(Item(rule: "exfiltration.domains", value: domain)) }
        for keyword in policy.exfiltration.keywords { items.insert(Item(rule: "exfiltration.keywords", value: keyword)) }
        for pattern in policy.exfiltration.patterns { scalars["exfiltration.patterns.\(pattern.name)"] = pattern.regex }
        return (scalars, items)
    }
}
