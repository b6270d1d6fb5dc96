import ConfigFile
import Crypto
import Detection
import Yams

/// Reads `policy.yaml` (schema version 1) into a ``Policy``, validating every key: a problem
/// names the file, line and key and what was expected, and nothing is applied.
package struct PolicyReader {
    package let file: String

    package init(file: String) {
        self.file = file
    }

    /// Parses and validates a policy document.
    package static func parse(yaml: String, file: String) throws -> Policy {
        guard let root = try ConfigNode.compose(yaml: yaml, file: file) else {
            throw ConfigError(code: .missingKey, file: file, message: "the policy is empty; it needs at least 'version: 1'")
        }
        var policy = try PolicyReader(file: file).read(root)
        policy.digest = SHA256.hash(data: Array(yaml.utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        return policy
    }

    /// Reads, parses and validates a policy file; the digest is of the bytes read, once.
    package static func load(path: String) throws -> Policy {
        try parse(yaml: try ConfigNode.readText(path: path), file: path)
    }

    func read(_ root: ConfigNode) throws -> Policy {
        let top = try root.mapping(allowed: [
            "version", "name", "actions", "models", "audit_content", "quotas", "exfiltration", "teams", "keys",
        ])
        guard let version = top["version"] else {
            throw root.problem(.missingKey, "a policy needs 'version: \(Policy.schemaVersion)' (the schema version)")
        }
        guard version.node.int == Policy.schemaVersion else {
            throw version.problem("this appliance reads policy schema version \(Policy.schemaVersion), got '\(version.node.string ?? "?")'")
        }
        let exfiltration = try top["exfiltration"].map(readExfiltration) ?? ExfiltrationRules()
        var policy = Policy(name: try top["name"]?.string() ?? "unnamed", defaults: Policy.Rules(), exfiltration: exfiltration)
        policy.defaults = try readRules(top, exfiltration: exfiltration, level: .defaults)
        if let teams = top["teams"] {
            for (name, node) in try teams.namedEntries() {
                policy.teams[name] = try readRules(
                    try node.mapping(allowed: Self.overrideKeys),
                    exfiltration: exfiltration,
                    level: .override
                )
            }
        }
        if let keys = top["keys"] {
            for (name, node) in try keys.namedEntries() {
                policy.keys[name] = try readRules(
                    try node.mapping(allowed: Self.overrideKeys),
                    exfiltration: exfiltration,
                    level: .override
                )
            }
        }
        return policy
    }

    static let overrideKeys: Set<String> = ["actions", "models", "audit_content", "quotas"]

    enum Level { case defaults, override }

    private func readRules(_ entries: [String: ConfigNode], exfiltration: ExfiltrationRules, level: Level) throws -> Policy.Rules {
        var rules = Policy.Rules()
        if let actions = entries["actions"] {
            for (name, node) in try actions.namedEntries() {
                guard Finding.Category(rawValue: name) != nil || DetectorCatalog.category(of: name, exfiltration: exfiltration) != nil
                else {
                    throw node.problem(
                        .unknownKey,
                        "unknown finding type or category '\(name)'; expected secret, pii, exfil, a type such as "
                            + "email or aws_access_key_id (see `tappass policy types`), or a custom pattern's name"
                    )
                }
                rules.actions[name] = try node.oneOf(PolicyAction.self)
            }
        }
        if let models = entries["models"] {
            let lists = try models.mapping(allowed: ["allow", "deny"])
            rules.models = Policy.ModelRules(allow: try lists["allow"]?.strings() ?? [], deny: try lists["deny"]?.strings() ?? [])
        }
        if let content = entries["audit_content"] { rules.auditContent = try content.oneOf(Policy.AuditContent.self) }
        if let quotas = entries["quotas"] {
            switch level {
            case .defaults:
                let scopes = try quotas.mapping(allowed: ["per_key", "per_team"])
                rules.quota = try scopes["per_key"].map(readQuota)
                rules.perTeamQuota = try scopes["per_team"].map(readQuota)
            case .override:
                rules.quota = try readQuota(quotas)
            }
        }
        return rules
    }

    private func readQuota(_ node: ConfigNode) throws -> QuotaLimits {
        let entries = try node.mapping(allowed: ["requests_per_minute", "tokens_per_minute", "tokens_per_day"])
        let range = 1...1_000_000_000_000
        return QuotaLimits(
            requestsPerMinute: try entries["requests_per_minute"].map { Int64(try $0.int(in: range)) },
            tokensPerMinute: try entries["tokens_per_minute"].map { Int64(try $0.int(in: range)) },
            tokensPerDay: try entries["tokens_per_day"].map { Int64(try $0.int(in: range)) }
        )
    }

    private func readExfiltration(_ node: ConfigNode) throws -> ExfiltrationRules {
        let entries = try node.mapping(allowed: ["domains", "keywords", "patterns"])
        var rules = ExfiltrationRules()
        if let domains = entries["domains"] {
            rules.domains = try domains.sequence().map { item in
                let domain = try item.string().lowercased()
                guard domain.contains("."), domain.utf8.allSatisfy({ TextScanner.isAlnum($0) || $0 == 0x2E || $0 == 0x2D }),
                    !domain.hasPrefix("."), !domain.hasSuffix(".")
                else { throw item.problem("expected a domain name such as pastebin.com, got '\(domain)'") }
                return domain
            }
        }
        if let keywords = entries["keywords"] {
            rules.keywords = try keywords.sequence().map { item in
                let keyword = try item.string()
                guard keyword.utf8.count >= 3 else { throw item.problem("a keyword needs at least 3 characters, got '\(keyword)'") }
                guard !keyword.utf8.contains(where: { $0 < 0x20 }) else {
                    throw item.problem("a keyword is a word or phrase on one line, without control characters")
                }
                return keyword
            }
        }
        if let patterns = entries["patterns"] {
            rules.patterns = try patterns.sequence().map { item in
                let fields = try item.mapping(allowed: ["name", "regex"])
                guard let nameNode = fields["name"], let regexNode = fields["regex"] else {
                    throw item.problem(.missingKey, "a pattern needs 'name' (its finding type) and 'regex'")
                }
                let name = try nameNode.string()
                guard name.utf8.allSatisfy({ TextScanner.isAlnum($0) || $0 == 0x5F }), DetectorCatalog.category(of: name) == nil else {
                    throw nameNode.problem("expected a new type name of letters, digits and _, not a built-in type, got '\(name)'")
                }
                let source = try regexNode.string()
                do {
                    _ = try CustomPatternDetector.compile(source)
                } catch {
                    throw regexNode.problem("not a valid regular expression: \(error)")
                }
                return ExfiltrationRules.CustomPattern(name: name, regex: source)
            }
            var seen = Set<String>()
            for (pattern, item) in zip(rules.patterns, try patterns.sequence()) where !seen.insert(pattern.name).inserted {
                throw item.problem("the pattern name '\(pattern.name)' is used twice")
            }
        }
        return rules
    }
}
