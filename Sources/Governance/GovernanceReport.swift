package import Detection
import JSONWire
import NIOCore

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
        /// How the value was written when it was found by decoding it (`base64`, `hex`, `percent`).
        package var encoding: String?

        package static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.direction, lhs.type, lhs.action, lhs.encoding ?? "") < (rhs.direction, rhs.type, rhs.action, rhs.encoding ?? "")
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

    /// Appends streamed text to the response content kept for the audit log.
    package mutating func keepResponse(_ text: String) {
        // In place: a copy per piece would cost the square of a long answer's length.
        if responseContent == nil { responseContent = text } else { responseContent!.append(text) }
    }

    package mutating func note(_ finding: Finding, action: PolicyAction, direction: String) {
        evaluated = true
        verdict = max(verdict, action)
        if let index = entries.firstIndex(where: {
            $0.direction == direction && $0.type == finding.type && $0.action == action.rawValue && $0.encoding == finding.encoding
        }) {
            entries[index].count += 1
        } else {
            entries.append(
                Entry(
                    direction: direction,
                    type: finding.type,
                    category: finding.category.rawValue,
                    action: action.rawValue,
                    count: 1,
                    encoding: finding.encoding
                )
            )
        }
    }

    /// Findings as JSON for the `findings` column, or nil when there were none (written
    /// straight out: this runs on every governed request).
    package var findingsJSON: String? {
        guard !entries.isEmpty else { return nil }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(96 * entries.count)
        buffer.writeStaticString("[")
        for (index, entry) in entries.sorted().enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeStaticString("{\"direction\":")
            JSONValue.writeString(entry.direction, to: &buffer)
            buffer.writeStaticString(",\"type\":")
            JSONValue.writeString(entry.type, to: &buffer)
            buffer.writeStaticString(",\"category\":")
            JSONValue.writeString(entry.category, to: &buffer)
            buffer.writeStaticString(",\"action\":")
            JSONValue.writeString(entry.action, to: &buffer)
            buffer.writeString(",\"count\":\(entry.count)")
            if let encoding = entry.encoding {
                buffer.writeStaticString(",\"encoding\":")
                JSONValue.writeString(encoding, to: &buffer)
            }
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("]")
        return String(buffer: buffer)
    }

    /// Kept content as JSON for the `detail` column (`{"request":[...],"response":"..."}`),
    /// written straight from the kept strings.
    package var contentJSON: String? {
        guard requestContent != nil || responseContent != nil else { return nil }
        let size = (requestContent?.reduce(0) { $0 + $1.utf8.count } ?? 0) + (responseContent?.utf8.count ?? 0)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size + size / 8 + 64)
        buffer.writeStaticString("{")
        if let requestContent {
            buffer.writeStaticString("\"request\":[")
            for (index, text) in requestContent.enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                JSONValue.writeString(text, to: &buffer)
            }
            buffer.writeStaticString("]")
        }
        if let responseContent {
            if requestContent != nil { buffer.writeStaticString(",") }
            buffer.writeStaticString("\"response\":")
            JSONValue.writeString(responseContent, to: &buffer)
        }
        buffer.writeStaticString("}")
        return String(buffer: buffer)
    }
}
