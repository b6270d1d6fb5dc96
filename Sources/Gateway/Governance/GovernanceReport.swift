import Foundation

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
            entries.append(Entry(direction: direction, type: finding.type, category: finding.category.rawValue, action: action.rawValue, count: 1))
        }
    }

    /// Findings as JSON for the `findings` column, or nil when there were none.
    package var findingsJSON: String? {
        guard !entries.isEmpty, let data = try? JSONEncoder.sortedKeys.encode(entries.sorted()) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Kept content as JSON for the `detail` column.
    package var contentJSON: String? {
        guard requestContent != nil || responseContent != nil else { return nil }
        struct Content: Encodable {
            var request: [String]?
            var response: String?
        }
        guard let data = try? JSONEncoder.sortedKeys.encode(Content(request: requestContent, response: responseContent)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
