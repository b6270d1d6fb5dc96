package import Foundation
import GRDB

/// Filters for `audit query` and `audit export`; nil matches everything.
package struct AuditQuery: Sendable {
    package var since: Date?
    package var until: Date?
    package var user: String?
    package var team: String?
    package var model: String?
    package var verdict: String?
    package var status: Int?
    package var limit: Int?

    package init() {}

    func sql(_ db: Database) throws -> (String, StatementArguments) {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        func add(_ clause: String, _ value: some DatabaseValueConvertible) {
            clauses.append(clause)
            arguments += [value]
        }
        if let since { add("time_ms >= ?", Int64((since.timeIntervalSince1970 * 1000).rounded())) }
        if let until { add("time_ms < ?", Int64((until.timeIntervalSince1970 * 1000).rounded())) }
        if let user { add("user = ?", user) }
        if let team { add("team = ?", team) }
        if let model {
            add("(model = ? OR routed_model = ?)", model)
            arguments += [model]
        }
        if let verdict { add("verdict = ?", verdict) }
        if let status { add("status = ?", status) }
        var sql = "SELECT \(try AuditEntry.selection(db)) FROM entry"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY seq"
        if let limit { sql += " LIMIT \(limit)" }
        return (sql, arguments)
    }

    /// Calls `body` with each matching record, oldest first, reading as it goes (a large export
    /// never sits in memory). `progress` gets (records seen, records in the log) every 50,000.
    package func each(in store: AuditStore, progress: ((Int, Int) -> Void)? = nil, _ body: (AuditEntry) throws -> Void) throws {
        try store.read { db in
            let (sql, arguments) = try self.sql(db)
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry") ?? 0
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            var seen = 0
            while let row = try rows.next() {
                try body(try AuditEntry(positional: row))
                seen += 1
                if seen % 50_000 == 0 { progress?(seen, total) }
            }
            if seen >= 50_000 { progress?(seen, total) }
        }
    }
}

/// The shapes `audit query` and `audit export` print.
package enum AuditExportFormat: String, CaseIterable, Sendable {
    case jsonl, csv, table

    static let columns = [
        "seq", "time", "kind", "name", "key_id", "user", "team", "client", "endpoint", "model", "routed_model", "host", "status",
        "latency_ms", "first_token_ms", "tokens_in", "tokens_out", "verdict", "policy", "findings", "outcome", "detail", "chain_hash",
    ]

    package var header: String? {
        switch self {
        case .jsonl: nil
        case .csv: Self.columns.joined(separator: ",")
        case .table: "SEQ      TIME                      KIND     USER         MODEL                STATUS  OUTCOME            LATENCY"
        }
    }

    package func line(_ entry: AuditEntry) -> String {
        let values = Self.values(entry)
        switch self {
        case .jsonl:
            var object: [String] = []
            for (column, value) in zip(Self.columns, values) {
                guard let value else { continue }
                object.append("\"\(column)\":\(value.json)")
            }
            return "{" + object.joined(separator: ",") + "}"
        case .csv:
            return values.map { $0?.csv ?? "" }.joined(separator: ",")
        case .table:
            func pad(_ text: String?, _ width: Int) -> String {
                let text = text ?? "-"
                return text.count >= width
                    ? String(text.prefix(width - 1)) + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
            }
            let latency = entry.latencyMicros.map { String(format: "%.1f ms", Double($0) / 1000) }
            return pad(String(entry.seq), 9) + pad(Self.iso(entry.timeMillis), 26) + pad(entry.kind.rawValue, 9)
                + pad(entry.user, 13) + pad(entry.model ?? entry.name, 21) + pad(entry.status.map(String.init), 8)
                + pad(entry.outcome, 19) + (latency ?? "-")
        }
    }

    enum Value {
        case text(String)
        case number(String)
        case raw(String)

        var json: String {
            switch self {
            case .number(let text), .raw(let text): text
            case .text(let text): JSONValueText.quote(text)
            }
        }

        var csv: String {
            let text: String
            switch self {
            case .number(let value), .raw(let value), .text(let value): text = value
            }
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    static func values(_ entry: AuditEntry) -> [Value?] {
        func text(_ value: String?) -> Value? { value.map(Value.text) }
        func number(_ value: Int64?) -> Value? { value.map { .number(String($0)) } }
        func millis(_ value: Int64?) -> Value? { value.map { .number(String(format: "%.3f", Double($0) / 1000)) } }
        return [
            number(entry.seq), .text(iso(entry.timeMillis)), .text(entry.kind.rawValue), .text(entry.name), text(entry.keyID),
            text(entry.user), text(entry.team), text(entry.client), text(entry.endpoint), text(entry.model), text(entry.routedModel),
            text(entry.host), number(entry.status), millis(entry.latencyMicros), millis(entry.firstTokenMicros), number(entry.tokensIn),
            number(entry.tokensOut), text(entry.verdict), text(entry.policy), entry.findings.map(Value.raw), text(entry.outcome),
            entry.detail.map { $0.hasPrefix("{") ? Value.raw($0) : Value.text($0) }, .text(entry.chainHash.hex),
        ]
    }

    static func iso(_ millis: Int64) -> String {
        Date(timeIntervalSince1970: Double(millis) / 1000).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// JSON string quoting for the export lines.
enum JSONValueText {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
