import Foundation
package import GRDB
import GRDBSQLite

extension AuditEntry {
    /// Every column, in the order ``init(positional:)`` reads them.
    static let selection =
        "seq, time_ms, kind, name, key_id, user, team, client, endpoint, model, routed_model, host, status, latency_us, first_token_us, tokens_in, tokens_out, verdict, findings, outcome, detail, leaf_hash, chain_hash, policy"

    /// ``selection`` for `db`: a log written before the `policy` column (opened read-only, so
    /// not migrated) reads it as NULL.
    static func selection(_ db: Database) throws -> String {
        try db.columns(in: "entry").contains { $0.name == "policy" }
            ? selection : selection.replacingOccurrences(of: ", policy", with: ", NULL AS policy")
    }

    static let insertSQL = "INSERT INTO entry (\(selection)) VALUES (\(Array(repeating: "?", count: 24).joined(separator: ",")))"

    /// The prepared INSERT, made once per transaction: the writer's hot path.
    package static func insertStatement(_ db: Database) throws -> Statement {
        try db.cachedStatement(sql: insertSQL)
    }

    /// Binds the record's columns with SQLite's C API and runs the INSERT.
    ///
    /// Bound by hand rather than through `StatementArguments`: boxing 23 values as
    /// `DatabaseValueConvertible` existentials and converting them profiled at ~20 µs per
    /// record, on the path every strict-durability request waits on. The statement is still
    /// prepared, cached and owned by GRDB, and runs inside GRDB's transaction.
    package func insert(with statement: Statement) throws {
        let handle = statement.sqliteStatement
        _ = sqlite3_reset(handle)
        var column: Int32 = 0
        func bind(_ value: Int64?) {
            column += 1
            _ = value.map { sqlite3_bind_int64(handle, column, $0) } ?? sqlite3_bind_null(handle, column)
        }
        func bind(_ value: String?) {
            column += 1
            guard var value else {
                _ = sqlite3_bind_null(handle, column)
                return
            }
            _ = value.withUTF8 { sqlite3_bind_text(handle, column, $0.baseAddress, Int32($0.count), Self.transient) }
        }
        func bind(_ value: Data) {
            column += 1
            _ = value.withUnsafeBytes { sqlite3_bind_blob(handle, column, $0.baseAddress, Int32($0.count), Self.transient) }
        }
        bind(seq)
        bind(timeMillis)
        bind(kind.rawValue)
        bind(name)
        for value in [keyID, user, team, client, endpoint, model, routedModel, host] { bind(value) }
        for value in [status, latencyMicros, firstTokenMicros, tokensIn, tokensOut] { bind(value) }
        for value in [verdict, findings, outcome, detail] { bind(value) }
        bind(leafHash)
        bind(chainHash)
        bind(policy)
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
            _ = sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: Self.insertSQL)
        }
    }

    /// SQLite copies bound bytes (`SQLITE_TRANSIENT`): the Swift buffers do not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

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
        policy = row[23]
    }
}
