import Foundation
import GRDB

extension AuditEntry {
    /// Every column, in the order ``init(positional:)`` reads them.
    static let selection =
        "seq, time_ms, kind, name, key_id, user, team, client, endpoint, model, routed_model, host, status, latency_us, first_token_us, tokens_in, tokens_out, verdict, findings, outcome, detail, leaf_hash, chain_hash"

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
