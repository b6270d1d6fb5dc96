import Foundation

/// Finds Anthropic `stop_sequences` in generated text as it streams, holding back just enough
/// text that a sequence split across chunks is still found, so the gateway can name the
/// sequence that matched (`stop_reason: "stop_sequence"`) for hosts that do not say which of
/// their `stop` strings ended generation. Pure value type, no I/O.
struct StopSequenceMatcher: Sendable {
    let sequences: [String]
    private let holdBack: Int
    private var held = ""
    package private(set) var matched: String?

    init(sequences: [String]) {
        self.sequences = sequences.filter { !$0.isEmpty }
        self.holdBack = max(0, (self.sequences.map(\.count).max() ?? 0) - 1)
    }

    var isActive: Bool { !sequences.isEmpty }

    /// Feeds generated text; returns the text that can go to the client now. After a match it
    /// returns the text before the sequence and everything later is dropped.
    mutating func feed(_ text: String) -> String {
        guard matched == nil else { return "" }
        guard isActive else { return text }
        held += text
        if let (range, sequence) = earliestMatch(in: held) {
            matched = sequence
            let before = String(held[..<range.lowerBound])
            held = ""
            return before
        }
        guard held.count > holdBack else { return "" }
        let cut = held.index(held.endIndex, offsetBy: -holdBack)
        let released = String(held[..<cut])
        held = String(held[cut...])
        return released
    }

    /// The text still held back when generation ends without a match.
    mutating func flush() -> String {
        defer { held = "" }
        return matched == nil ? held : ""
    }

    /// Cuts a whole text at the earliest stop sequence (for non-streamed answers).
    static func cut(_ text: String, at sequences: [String]) -> (text: String, matched: String?) {
        var matcher = StopSequenceMatcher(sequences: sequences)
        let released = matcher.feed(text)
        return matcher.matched == nil ? (released + matcher.flush(), nil) : (released, matcher.matched)
    }

    private func earliestMatch(in text: String) -> (Range<String.Index>, String)? {
        var best: (Range<String.Index>, String)?
        for sequence in sequences {
            guard let range = text.range(of: sequence) else { continue }
            if let current = best, current.0.lowerBound <= range.lowerBound { continue }
            best = (range, sequence)
        }
        return best
    }
}
