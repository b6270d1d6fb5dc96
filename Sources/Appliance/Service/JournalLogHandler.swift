import CSystemd
import Foundation
import Logging

/// A swift-log handler that writes structured entries to journald with `sd_journal_sendv`
/// (the variadic `sd_journal_send` is not callable from Swift). Metadata keys become journal
/// fields (``fieldName(_:)``), so `journalctl TAPPASS_REQUEST_ID=…` finds a request.
struct JournalLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let label: String

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(Self.priority(event.level))",
            "SYSLOG_IDENTIFIER=tappass",
            "TAPPASS_LOGGER=\(label)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields.append("\(Self.fieldName(key))=\(value)")
        }
        let storage = fields.map { field -> (pointer: UnsafeMutableRawPointer, count: Int) in
            let bytes = Array(field.utf8)
            let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            pointer.copyMemory(from: bytes, byteCount: bytes.count)
            return (pointer, bytes.count)
        }
        defer { for entry in storage { entry.pointer.deallocate() } }
        let vectors = storage.map { iovec(iov_base: $0.pointer, iov_len: $0.count) }
        _ = sd_journal_sendv(vectors, Int32(vectors.count))
    }

    /// Short names for the fields every request line carries.
    static let requestFields = [
        "request.id": "TAPPASS_REQUEST_ID", "request.model": "TAPPASS_MODEL", "request.status": "TAPPASS_STATUS",
        "request.verdict": "TAPPASS_VERDICT", "request.outcome": "TAPPASS_OUTCOME", "request.route": "TAPPASS_ROUTE",
        "request.duration_ms": "TAPPASS_DURATION_MS", "user": "TAPPASS_USER", "key.id": "TAPPASS_KEY_ID",
        "upstream.id": "TAPPASS_UPSTREAM",
    ]

    /// A metadata key as a journal field: `TAPPASS_` and the key in capitals (`audit.path` →
    /// `TAPPASS_AUDIT_PATH`), so `journalctl TAPPASS_REQUEST_ID=…` finds a request.
    static func fieldName(_ key: String) -> String {
        if let name = requestFields[key] { return name }
        let mapped = key.uppercased().map { character -> Character in
            character.isASCII && (character.isLetter || character.isNumber) ? character : "_"
        }
        let name = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        return "TAPPASS_" + (name.isEmpty ? "FIELD" : name)
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}

/// Chooses where logs go: journald when systemd connected our output to it (`JOURNAL_STREAM`),
/// standard error otherwise.
enum JournalLogging {
    static func bootstrap(level: Logger.Level) -> Logger {
        let toJournal = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = toJournal ? JournalLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "tappass")
    }
}
