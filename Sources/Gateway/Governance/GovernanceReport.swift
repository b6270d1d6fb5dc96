import LocalLLM

/// What governance found and did in one exchange, for the audit record: findings by where,
/// type, category and action with a count (never a value), the verdict (strongest action), and
/// the content the policy lets the audit log keep.
package struct GovernanceReport: Sendable, Equatable {
    package struct Entry: Sendable, Hashable, Codable, Comparable {
        /// `request` or `response`.
        package var direction: String
        package var type: String
        package var category: String
        package var action: String
        package var count: Int

        package static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.direction, lhs.type, lhs.action) < (rhs.direction, rhs.type, rhs.action)
        }
    }

    package private(set) var entries: [Entry] = []
    package private(set) var verdict: PolicyAction = .allow
    /// Whether the policy was applied at all (governance can be switched off for a benchmark).
    package var evaluated = false
    /// Content kept for the audit log (already redacted when the policy says `redacted`).
    package var requestContent: [String]?
    package var responseContent: String?

    package init() {}

    package mutating func note(_ finding: Finding, action: PolicyAction, direction: String) {
        evaluated = true
        verdict = max(verdict, action)
        if let index = entries.firstIndex(where: {
            $0.direction == direction && $0.type == finding.type && $0.action == action.rawValue
        }) {
            entries[index].count += 1
        } else {
            entries.append(
                Entry(direction: direction, type: finding.type, category: finding.category.rawValue, action: action.rawValue, count: 1)
            )
        }
    }

    /// Findings as JSON for the `findings` column, or nil when there were none.
    package var findingsJSON: String? {
        guard !entries.isEmpty else { return nil }
        let list: [JSONValue] = entries.sorted().map {
            [
                "direction": .string($0.direction), "type": .string($0.type), "category": .string($0.category),
                "action": .string($0.action), "count": .int(Int64($0.count)),
            ]
        }
        return JSONValue.array(list).serializedString
    }

    /// Kept content as JSON for the `detail` column (`{"request": [...], "response": "..."}`).
    package var contentJSON: String? {
        guard requestContent != nil || responseContent != nil else { return nil }
        var content: [String: JSONValue] = [:]
        if let requestContent { content["request"] = .array(requestContent.map(JSONValue.string)) }
        if let responseContent { content["response"] = .string(responseContent) }
        return JSONValue.object(content).serializedString
    }
}
