import Detection

/// Typed placeholders for redacted values: `[REDACTED:email_1]`, `[REDACTED:email_2]`, … The
/// same value gets the same placeholder within one request (so a model can still tell two
/// people apart), and the numbering is per type. The book holds values only in memory, for the
/// life of one exchange; it is never logged or stored.
package struct PlaceholderBook: Sendable {
    private var assigned: [String: String] = [:]
    private var counts: [String: Int] = [:]

    package init() {}

    package mutating func placeholder(for value: Substring, type: String) -> String {
        let key = type + "\u{0}" + value
        if let existing = assigned[key] { return existing }
        let number = (counts[type] ?? 0) + 1
        counts[type] = number
        let placeholder = "[REDACTED:\(type)_\(number)]"
        assigned[key] = placeholder
        return placeholder
    }
}

enum Redactor {
    /// `text` with each finding in `findings` (non-overlapping, any order) replaced by its placeholder.
    static func apply(_ findings: [Finding], to text: String, book: inout PlaceholderBook) -> String {
        guard !findings.isEmpty else { return text }
        let utf8 = Array(text.utf8)
        var result = ""
        result.reserveCapacity(utf8.count)
        var position = 0
        for finding in findings.sorted(by: { $0.utf8Range.lowerBound < $1.utf8Range.lowerBound }) {
            let range = finding.utf8Range
            guard range.lowerBound >= position, range.upperBound <= utf8.count else { continue }
            result += String(decoding: utf8[position..<range.lowerBound], as: UTF8.self)
            let value = String(decoding: utf8[range], as: UTF8.self)
            result += book.placeholder(for: value[...], type: finding.type)
            position = range.upperBound
        }
        result += String(decoding: utf8[position...], as: UTF8.self)
        return result
    }
}
