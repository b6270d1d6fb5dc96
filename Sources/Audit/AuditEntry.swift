import Crypto
package import Foundation
import GRDB

/// One audit record: a governed request, or a security event (key created, key revoked,
/// service started, …). Stored in the `entry` table; `leafHash` and `chainHash` make it
/// tamper-evident (see ``AuditEntry/canonicalBytes``).
package struct AuditEntry: Sendable, Codable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "entry"

    package enum Kind: String, Sendable, Codable {
        case request, event
    }

    /// Position in the log, from 1; the Merkle leaf index is `seq - 1`.
    package var seq: Int64 = 0
    package var timeMillis: Int64
    package var kind: Kind
    /// `request`: the request id; `event`: the event name (`key.created`, `service.started`, …).
    package var name: String
    package var keyID: String?
    package var user: String?
    package var team: String?
    /// The calling program as told by its User-Agent (Claude Code, openai-python, …).
    package var client: String?
    package var endpoint: String?
    package var model: String?
    package var routedModel: String?
    package var host: String?
    package var status: Int64?
    package var latencyMicros: Int64?
    package var firstTokenMicros: Int64?
    package var tokensIn: Int64?
    package var tokensOut: Int64?
    /// `allow`, `flag`, `redact` or `block`: the policy's strongest action on this request.
    package var verdict: String?
    /// Policy findings as JSON `[{"category":…,"type":…,"action":…}]`: never the values.
    package var findings: String?
    /// `completed`, `client-cancelled`, `filtered`, `upstream-error`, `refused`, …
    package var outcome: String?
    /// Event details as JSON, or the request's content when the policy keeps it.
    package var detail: String?
    /// The policy that judged the request: `bundle:N` (a signed bundle's version) or
    /// `sha256:…` (the first 16 hex digits of the policy document's SHA-256); nil when no
    /// policy was applied (governance off, refused before authentication) and for events.
    package var policy: String?
    package var leafHash: Data = Data()
    package var chainHash: Data = Data()

    enum CodingKeys: String, CodingKey {
        case seq
        case timeMillis = "time_ms"
        case kind, name
        case keyID = "key_id"
        case user, team, client, endpoint, model
        case routedModel = "routed_model"
        case host, status
        case latencyMicros = "latency_us"
        case firstTokenMicros = "first_token_us"
        case tokensIn = "tokens_in"
        case tokensOut = "tokens_out"
        case verdict, findings, outcome, detail, policy
        case leafHash = "leaf_hash"
        case chainHash = "chain_hash"
    }

    package init(time: Date = Date(), kind: Kind, name: String) {
        self.timeMillis = Int64((time.timeIntervalSince1970 * 1000).rounded())
        self.kind = kind
        self.name = name
    }

    /// A security event with details (never secrets).
    package static func event(_ name: String, detail: [String: String] = [:], time: Date = Date()) -> AuditEntry {
        var entry = AuditEntry(time: time, kind: .event, name: name)
        if !detail.isEmpty, let data = try? JSONEncoder.sortedKeys.encode(detail) {
            entry.detail = String(decoding: data, as: UTF8.self)
        }
        return entry
    }

    package var time: Date { Date(timeIntervalSince1970: Double(timeMillis) / 1000) }

    /// The bytes the leaf hash covers: every column but `seq` and the hashes, in a fixed order,
    /// each tagged and length-prefixed so no two different records encode alike. The position
    /// is covered by the chain and the Merkle tree, not by the entry itself.
    ///
    /// Columns added after the first release (`policy`) are appended only when present, so a
    /// record written before them hashes as it always did. The fields before them are fixed in
    /// number, so a record with the column and one without can never encode alike.
    package var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.int(timeMillis)
        encoder.text(kind.rawValue)
        encoder.text(name)
        for value in [keyID, user, team, client, endpoint, model, routedModel, host] { encoder.text(value) }
        for value in [status, latencyMicros, firstTokenMicros, tokensIn, tokensOut] { encoder.int(value) }
        for value in [verdict, findings, outcome, detail] { encoder.text(value) }
        if let policy { encoder.text(policy) }
        return encoder.bytes
    }

    /// RFC 9162 leaf hash: SHA-256(0x00 ‖ entry).
    package var computedLeafHash: Data {
        Self.leafHash(canonicalBytes)
    }

    static func leafHash(_ canonical: [UInt8]) -> Data {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        hasher.update(data: canonical)
        return Data(hasher.finalize())
    }

    /// The chain link: SHA-256(previous link ‖ leaf hash); the first record's previous link is 32 zero bytes.
    package static func chain(previous: Data, leaf: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: leaf)
        return Data(hasher.finalize())
    }

    package static let genesis = Data(repeating: 0, count: 32)
}

/// The canonical record encoding: a version tag, then per field 0 (null), 1 + big-endian
/// Int64, or 2 + big-endian UInt32 length + UTF-8 bytes.
struct CanonicalEncoder {
    private(set) var bytes: [UInt8]

    init() {
        bytes = Array("tappass-audit-entry/1".utf8)
        bytes.reserveCapacity(320)
    }

    mutating func int(_ value: Int64?) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        let big = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: big >> UInt64(shift))) }
    }

    mutating func text(_ value: String?) {
        guard var value else { return bytes.append(0) }
        value.withUTF8 { utf8 in textBytes(UnsafeRawBufferPointer(utf8)) }
    }

    mutating func textBytes(_ utf8: UnsafeRawBufferPointer) {
        bytes.append(2)
        let count = UInt32(utf8.count)
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: count >> UInt32(shift))) }
        bytes.append(contentsOf: utf8)
    }

    mutating func null() {
        bytes.append(0)
    }
}

extension JSONEncoder {
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
