import Foundation
import GRDB
import GRDBSQLite

/// Steps through `SELECT \(AuditEntry.selection) FROM entry ORDER BY seq` with SQLite's C API
/// and encodes each row canonically straight from SQLite's buffers, exactly as
/// ``AuditEntry/canonicalBytes`` does (a test holds them together).
///
/// Written against the C API rather than GRDB's `Row`: `audit verify` reads a million rows, and
/// going through `Row` costs a `Data` or `String` allocation per column, which profiled at about
/// a third of the verifier's time. The statement is still prepared and owned by GRDB.
struct AuditRowScanner {
    /// A record as verification needs it: position, canonical bytes, stored hashes.
    struct HeldRow {
        var seq: Int64
        var canonical: [UInt8]
        var leafHash: Data
        var chainHash: Data
    }

    private let statement: Statement

    /// Prepares the statement; read the rows with ``next()`` before the transaction ends.
    init(_ db: Database) throws {
        statement = try db.makeStatement(sql: "SELECT \(try AuditEntry.selection(db)) FROM entry ORDER BY seq")
    }

    /// The next row, or nil after the last one.
    func next() throws -> HeldRow? {
        let handle = statement.sqliteStatement
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE {
            sqlite3_reset(handle)
            return nil
        }
        guard code == SQLITE_ROW else {
            sqlite3_reset(handle)
            throw AuditError("reading the audit log failed: \(String(cString: sqlite3_errstr(code)))")
        }
        return Self.row(handle)
    }

    private static func row(_ handle: OpaquePointer) -> HeldRow {
        var encoder = CanonicalEncoder()
        for column in Int32(1)...20 {
            if sqlite3_column_type(handle, column) == SQLITE_NULL {
                encoder.null()
                continue
            }
            switch column {
            case 1, 12...16:
                encoder.int(sqlite3_column_int64(handle, column))
            default:
                let text = sqlite3_column_text(handle, column)
                let count = Int(sqlite3_column_bytes(handle, column))
                encoder.textBytes(UnsafeRawBufferPointer(start: text, count: count))
            }
        }
        // Appended only when present (see ``AuditEntry/canonicalBytes``).
        if sqlite3_column_type(handle, 23) != SQLITE_NULL {
            let text = sqlite3_column_text(handle, 23)
            encoder.textBytes(UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, 23))))
        }
        return HeldRow(
            seq: sqlite3_column_int64(handle, 0),
            canonical: encoder.bytes,
            leafHash: blob(handle, 21),
            chainHash: blob(handle, 22)
        )
    }

    private static func blob(_ handle: OpaquePointer, _ column: Int32) -> Data {
        guard let bytes = sqlite3_column_blob(handle, column) else { return Data() }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(handle, column)))
    }
}
