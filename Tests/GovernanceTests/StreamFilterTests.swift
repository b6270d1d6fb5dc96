import Detection
import Foundation
import TestFixtures
import Testing
import TextViews

@testable import Governance

/// The output filter as a state machine: whatever the chunking, what goes out is exactly the
/// redacted text, and nothing unscanned gets out first.
@Suite struct StreamFilterTests {
    static let inspector = ContentInspector(
        detectors: .standard,
        policy: DefaultPolicy.policy.effective(key: "k", team: "t"),
        policyVersion: "default"
    )
    static let secret = "ghp_" + SeededText.random(36)

    /// Runs `pieces` through a filter; returns the text sent and the findings noted.
    static func run(
        _ pieces: [String],
        inspector: ContentInspector = inspector,
        window: Int = 64
    ) -> (text: String, blocked: PolicyBlock?, report: GovernanceReport) {
        var filter = StreamFilter(inspector: inspector, window: window)
        var report = GovernanceReport()
        var book = PlaceholderBook()
        var sent = ""
        for piece in pieces {
            switch filter.feed(piece, report: &report, book: &book) {
            case .emit(let text):
                sent += text
            case .block(let error):
                return (sent, error, report)
            }
            // Never is the secret's prefix out before the whole secret was seen.
            #expect(!sent.contains("ghp_"), "unscanned bytes went out: \(sent)")
        }
        switch filter.finish(report: &report, book: &book) {
        case .emit(let text): sent += text
        case .block(let error): return (sent, error, report)
        }
        return (sent, nil, report)
    }

    /// The audit log keeps what the policy allows of a streamed answer: every finding replaced
    /// (`redacted`, the default; flagged ones too), the text as streamed (`full`), or nothing.
    @Test func theStreamedAnswerIsKeptAsThePolicyAllows() throws {
        let pieces = ["Mail jan.peeters@acme.be the token ", Self.secret, " today, then stop."]
        let whole = pieces.joined()
        let cases: [(String, String?)] = [
            ("redacted", "Mail [REDACTED:email_1] the token [REDACTED:github_token_1] today, then stop."),
            ("full", whole),
            ("none", nil),
        ]
        for (mode, expected) in cases {
            let policy = "version: 1\nactions: {secret: redact, email: flag}\naudit_content: \(mode)"
            let inspector = try ContentInspectorTests.inspector(policy)
            let (sent, blocked, report) = Self.run(pieces, inspector: inspector, window: 8)
            #expect(blocked == nil)
            #expect(sent == "Mail jan.peeters@acme.be the token [REDACTED:github_token_1] today, then stop.", "\(mode)")
            #expect(report.responseContent == expected, "\(mode)")
        }
    }

    @Test func aSecretSplitAtEveryOffsetIsRedacted() {
        let text = "Here is the token you asked for: \(Self.secret) and some more words after it to stream along."
        let expected = text.replacingOccurrences(of: Self.secret, with: "[REDACTED:github_token_1]")
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            let pieces = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            let result = Self.run(pieces)
            #expect(result.text == expected, "split at \(cut)")
            #expect(result.report.entries.map(\.type) == ["github_token"], "split at \(cut)")
        }
    }

    @Test func aNumberWrittenInGroupsIsHeldWholeEvenPastTheWindow() {
        let text = "Please charge 4539 1488 0343 6467 and IBAN BE76 5390 0754 7181 today, thanks a lot for it."
        let expected = "Please charge [REDACTED:payment_card_1] and IBAN [REDACTED:iban_1] today, thanks a lot for it."
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            let pieces = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            #expect(Self.run(pieces, window: 8).text == expected, "split at \(cut)")
        }
        #expect(Self.run(text.map { String($0) }, window: 8).text == expected)
    }

    @Test func aSecretStreamedOneCharacterAtATimeIsRedacted() {
        let text = String(repeating: "Lorem ipsum dolor sit amet. ", count: 10) + "key=\(Self.secret) done " + "x y z"
        let result = Self.run(text.map { String($0) })
        #expect(result.text == text.replacingOccurrences(of: Self.secret, with: "[REDACTED:github_token_1]"))
    }

    @Test func textFlowsWithABoundedLag() {
        var filter = StreamFilter(inspector: Self.inspector, window: 64)
        var report = GovernanceReport()
        var book = PlaceholderBook()
        var sent = 0
        var fed = 0
        for _ in 0..<200 {
            let piece = "word "
            fed += piece.utf8.count
            if case .emit(let text) = filter.feed(piece, report: &report, book: &book) { sent += text.utf8.count }
            #expect(fed - sent <= 64 + 5)
        }
    }

    @Test func aPrivateKeyBlockIsHeldUntilItsEndLine() {
        let body = (0..<20).map { _ in SeededText.random(64, seed: 7) }.joined(separator: "\n")
        let block = "-----BEGIN OPENSSH PRIVATE KEY-----\n\(body)\n-----END OPENSSH PRIVATE KEY-----"
        let text = "Your key:\n\(block)\nKeep it safe."
        let pieces = stride(from: 0, to: text.utf8.count, by: 10).map { start -> String in
            let bytes = Array(text.utf8)
            return String(decoding: bytes[start..<min(start + 10, bytes.count)], as: UTF8.self)
        }
        let result = Self.run(pieces)
        #expect(result.text == "Your key:\n[REDACTED:private_key_1]\nKeep it safe.")
    }

    @Test func aBlockedFindingEndsTheStreamBeforeItGoesOut() {
        let text = "To exfiltrate, post it to https://pastebin.com/raw/abc123 and wait for more instructions here."
        let bytes = Array(text.utf8)
        for cut in stride(from: 1, to: bytes.count, by: 3) {
            let result = Self.run([String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)])
            #expect(result.blocked != nil, "split at \(cut)")
            #expect(!result.text.contains("pastebin"), "split at \(cut)")
        }
    }

    @Test func theSameValueGetsTheSamePlaceholder() {
        let other = "ghp_" + SeededText.random(36, seed: 9)
        let result = Self.run(["a \(Self.secret) b \(other) c \(Self.secret) d"])
        #expect(result.text == "a [REDACTED:github_token_1] b [REDACTED:github_token_2] c [REDACTED:github_token_1] d")
    }

    @Test func textWithoutSpacesInOtherScriptsIsNotHeld() {
        var filter = StreamFilter(inspector: Self.inspector, window: 64)
        var report = GovernanceReport()
        var book = PlaceholderBook()
        var sent = ""
        for _ in 0..<100 {
            if case .emit(let text) = filter.feed("日本語の文章", report: &report, book: &book) { sent += text }
        }
        // At most the window, give or take the rest of one character.
        #expect(sent.utf8.count >= 100 * "日本語の文章".utf8.count - 64 - 3)
    }

    /// A secret with invisible characters or full-width forms inside, streamed in pieces that
    /// cut it anywhere: redacted whole, the hidden characters with it, and nothing of it out first.
    @Test(arguments: ["\u{200B}", "\u{00AD}", "\u{2060}", "\\u0000"])
    func aDisguisedSecretStreamedInPiecesIsRedactedWhole(_ insert: String) {
        let key = "AKIA" + SeededText.random(16, ObfuscationTests.upper, seed: 5)
        let hidden = ObfuscationTests.interleaved(key, insert)
        let whole = "the key is " + hidden + " and more text follows here."
        let characters = Array(whole)
        for size in [1, 3, 7] {
            var pieces: [String] = []
            var index = 0
            while index < characters.count {
                pieces.append(String(characters[index..<min(index + size, characters.count)]))
                index += size
            }
            var filter = StreamFilter(inspector: Self.inspector, window: 8)
            var report = GovernanceReport()
            var book = PlaceholderBook()
            var sent = ""
            for piece in pieces {
                if case .emit(let text) = filter.feed(piece, report: &report, book: &book) { sent += text }
                #expect(!NormalizedText(sent).text.contains("AKIA"), "size \(size): \(sent)")
            }
            if case .emit(let text) = filter.finish(report: &report, book: &book) { sent += text }
            #expect(sent == "the key is [REDACTED:aws_access_key_id_1] and more text follows here.", "size \(size)")
        }
    }
}
