import Foundation
import Governance
import Testing

@testable import Detection

/// A long text is scanned in windows that end at line breaks: the findings must be exactly those
/// of one pass over the whole text, wherever the cuts fall.
@Suite struct DetectorWindowsTests {
    /// Every corpus sample on its own line (private key blocks span lines), then labels on the
    /// line before their values and non-ASCII text, so offsets in scalars are checked too.
    static let text: String = {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../tests/corpus/corpus.jsonl")
        let lines = (try? String(contentsOf: corpus, encoding: .utf8)) ?? ""
        let samples = lines.split(separator: "\n").compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object["text"] as? String
        }
        let extra = [
            "Geboortedatum:\n12.03.1985 — BSN:\n111222333 — téléphone:\n0470123456",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----",
        ]
        return (samples + extra + samples.reversed()).joined(separator: "\n")
    }()

    struct Seen: Equatable, CustomStringConvertible {
        var type: String
        var start: Int
        var end: Int
        var description: String { "\(type)@\(start)-\(end)" }
    }

    static func seen(_ findings: [Finding]) -> [Seen] { findings.map { Seen(type: $0.type, start: $0.start, end: $0.end) } }

    @Test func windowsFindWhatOnePassFinds() {
        #expect(Self.text.utf8.count > 500_000, "the corpus is read")
        let detectors = Detectors.standard
        let whole = Self.seen(detectors.scan(Self.text, windowSize: Int.max))
        #expect(whole.count > 4000)
        for size in [4096, 10_007, Detectors.window] {
            let windowed = Self.seen(detectors.scan(Self.text, windowSize: size))
            #expect(windowed == whole, "window size \(size): \(windowed.count) vs \(whole.count) findings")
        }
    }

    @Test func windowsTileTheTextAndNeverCutAPrivateKeyBlock() {
        var text = String(repeating: "plain words on a line\n", count: 400)
        let block =
            "-----BEGIN RSA PRIVATE KEY-----\n" + String(repeating: "MIIEpAIBAAKCAQEA7Zq\n", count: 300) + "-----END RSA PRIVATE KEY-----\n"
        text += block + text
        var contiguous = text
        contiguous.withUTF8 { utf8 in
            let windows = Detectors.windows(utf8, size: 1024)
            #expect(windows.count > 5)
            #expect(windows.first?.lowerBound == 0 && windows.last?.upperBound == utf8.count)
            #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            let prefix = 22 * 400
            let insideBlock = prefix + 1..<prefix + block.utf8.count
            #expect(windows.allSatisfy { !insideBlock.contains($0.lowerBound) })
            #expect(windows.allSatisfy { $0.lowerBound == 0 || utf8[$0.lowerBound - 1] == 0x0A })
        }
        let keys = Detectors.standard.scan(text, windowSize: 1024).filter { $0.type == "private_key" }
        #expect(keys.count == 1)
    }
}
