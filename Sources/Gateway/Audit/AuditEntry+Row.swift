import Foundation
package import GRDB

extension AuditEntry {
    /// Every column, in the order ``init(positional:)`` reads them.
    static let selection =
        "seq, time_ms, kind, name, key_id, user, team, client, endpoint, model, routed_model, host, status, latency_us, first_token_us, tokens_in, tokens_out, verdict, findings, outcome, detail, leaf_hash, chain_hash"

    /// The values of ``selection``, in order, for a prepared INSERT.
    package var positionalArguments: StatementArguments {
        let values: [(any DatabaseValueConvertible)?] = [
            seq, timeMillis, kind.rawValue, name, keyID, user, team, client, endpoint, model, routedModel, host, status,
            latencyMicros, firstTokenMicros, tokensIn, tokensOut, verdict, findings, outcome, detail, leafHash, chainHash,
        ]
        return StatementArguments(values)
    }

    static let insertSQL = "INSERT INTO entry (\(selection)) VALUES (\(Array(repeating: "?", count: 23).joined(separator: ",")))"

    /// The prepared INSERT, made once per transaction: the writer's hot path.
    package static func insertStatement(_ db: Database) throws -> Statement {
        try db.cachedStatement(sql: insertSQL)
    }

    package func insert(with statement: Statement) throws {
        statement.setUncheckedArguments(positionalArguments)
        try statement.execute()
    }

    /// The canonical bytes of a row of `SELECT \(selection)`, straight from SQLite's values with
    /// no `String` made: what `audit verify` hashes a million times. Must encode exactly as
    /// ``canonicalBytes`` does (a test holds them together).
    static func canonicalBytes(row: Row) throws -> [UInt8] {
        var encoder = CanonicalEncoder()
        for index in 1...20 {
            switch index {
            case 1, 12...16:
                encoder.int(row.hasNull(atIndex: index) ? nil : row[index] as Int64)
            default:
                guard let bytes = try row.withUnsafeData(atIndex: index, { $0.map { [UInt8]($0) } }) else {
                    encoder.null()
                    continue
                }
                bytes.withUnsafeBytes { encoder.textBytes($0) }
            }
        }
        return encoder.bytes
    }

    /// Reads a row of `SELECT \(selection)` by position: several times faster than by name,
    /// which matters when `audit verify` reads a million rows.
    init(positional row: Row) throws(AuditError) {
        let seq: Int64 = row[0]
        guard let kind = Kind(rawValue: row[2] as String) else { throw AuditError("record \(seq): unknown kind '\(row[2] as String)'") }
        self.init(time: Date(), kind: kind, name: row[3])
        self.seq = seq
        timeMillis = row[1]
        keyID = row[4]
        user = row[5]
        team = row[6]
        client = row[7]
        endpoint = row[8]
        model = row[9]
        routedModel = row[10]
        host = row[11]
        status = row[12]
        latencyMicros = row[13]
        firstTokenMicros = row[14]
        tokensIn = row[15]
        tokensOut = row[16]
        verdict = row[17]
        findings = row[18]
        outcome = row[19]
        detail = row[20]
        leafHash = row[21] ?? Data()
        chainHash = row[22] ?? Data()
    }
}
