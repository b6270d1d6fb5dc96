import Detection
import JSONWire
import TestFixtures
import Testing
import TextViews

@testable import Governance

/// What hides a value from a byte matcher: invisible and control characters, compatibility
/// forms, escapes written out, encodings, and a value split over two fields. Each is found, and
/// each finding covers the exact original bytes (so redaction takes the hidden characters too).
@Suite struct ObfuscationTests {
    static let upper = SeededText.base32Upper
    static let awsKey = "AKIA" + SeededText.random(16, upper, seed: 9)
    static let card = "4539148803436467"

    static func interleaved(_ value: String, _ insert: String) -> String { SeededText.interleaved(value, insert) }

    static func fullWidth(_ value: String) -> String {
        String(
            String.UnicodeScalarView(
                value.unicodeScalars.map { $0.value >= 0x21 && $0.value <= 0x7E ? Unicode.Scalar($0.value + 0xFEE0)! : $0 }
            )
        )
    }

    static func base64(_ text: String) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let bytes = Array(text.utf8)
        var output = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? table[(value >> (18 - 6 * position)) & 63] : "=")
            }
            index += 3
        }
        return output
    }

    static let disguises: [(name: String, disguise: @Sendable (String) -> String)] = [
        ("plain", { $0 }),
        ("zero-width space", { interleaved($0, "\u{200B}") }),
        ("zero-width joiner", { interleaved($0, "\u{200D}") }),
        ("soft hyphen", { interleaved($0, "\u{00AD}") }),
        ("bidi control", { interleaved($0, "\u{202E}") }),
        ("raw NUL", { interleaved($0, "\u{0000}") }),
        ("escaped NUL as text", { interleaved($0, "\\u0000") }),
        ("escaped zero-width space as text", { interleaved($0, "\\u200b") }),
        ("full-width forms", { fullWidth($0) }),
        ("base64", { base64($0) }),
        ("hex", { "0x" + $0.utf8.map { String($0, radix: 16) }.joined() }),
        ("percent-encoding", { $0.utf8.map { "%" + String($0, radix: 16, uppercase: true) }.joined() }),
    ]

    @Test(arguments: 0..<disguises.count)
    func everyDisguiseIsSeenThroughAndRedactedWhole(_ index: Int) {
        let (name, disguise) = Self.disguises[index]
        for (value, type) in [(Self.awsKey, "aws_access_key_id"), (Self.card, "payment_card")] {
            let hidden = disguise(value)
            let text = "see " + hidden + " ok"
            let findings = Detectors.scan(text).filter { $0.type == type }
            #expect(findings.count == 1, "\(name): \(type)")
            guard let finding = findings.first else { continue }
            var book = PlaceholderBook()
            let redacted = Redactor.apply([finding], to: text, book: &book)
            #expect(redacted == "see [REDACTED:\(type)_1] ok", "\(name): \(redacted)")
            if ["base64", "hex", "percent-encoding"].contains(name) {
                #expect(finding.encoding != nil, "\(name)")
            }
        }
    }

    @Test func blockedDomainsAreMappedTheWayBrowsersMapThem() {
        for text in ["see PASTEBIN。com/raw/1", "see paste\u{200B}bin.com/raw/1", "see ｐａｓｔｅｂｉｎ．ｃｏｍ/x", "see pastebin%2Ecom/x"] {
            #expect(Detectors.scan(text).contains { $0.type == "exfil_domain" }, "\(text)")
        }
    }

    @Test func theViewMapsBackToTheOriginalBytes() {
        let text = "é\u{200B}Ａ\\u0000b"
        let view = NormalizedText(text)
        #expect(view.text == "éAb")
        // `A` came from the three bytes of `Ａ`; `b` from the last byte.
        #expect(view.originalRange(2..<3) == 5..<8)
        #expect(view.originalRange(3..<4) == 14..<15)
        #expect(NormalizedText("plain ascii").isIdentity)
    }

    @Test func binaryAndShortRunsAreNotDecoded() {
        // A hash, a random base64 key and ordinary long words decode to nothing readable.
        let text = "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 and internationalization"
        #expect(Detectors.scan(text).isEmpty)
    }

    static func inspect(_ body: JSONValue, policy yaml: String? = nil) throws(PolicyBlock) -> (JSONValue, GovernanceReport) {
        var body = body
        var report = GovernanceReport()
        var book = PlaceholderBook()
        let inspector = try! ContentInspectorTests.inspector(yaml)
        try inspector.inspect(&body, scope: .request, direction: "request", report: &report, book: &book)
        return (body, report)
    }

    @Test func everyRequestFieldIsRead() throws {
        let key = Self.awsKey
        let bodies: [(String, JSONValue)] = [
            ("user", ["model": "m", "messages": [["role": "user", "content": "hi"]], "user": .string(key)]),
            ("name", ["model": "m", "messages": [["role": "user", "name": .string(key), "content": "hi"]]]),
            ("metadata", ["model": "m", "messages": [["role": "user", "content": "hi"]], "metadata": ["x": .string(key)]]),
            ("metadata key", ["model": "m", "messages": [["role": "user", "content": "hi"]], "metadata": [key: "x"]]),
            ("stop", ["model": "m", "messages": [["role": "user", "content": "hi"]], "stop": [.string(key)]]),
            ("tool description", ["model": "m", "messages": [], "tools": [["description": .string(key)]]]),
            ("unknown field", ["model": "m", "messages": [], "future_field": ["deep": [.string(key)]]]),
            (
                "image url",
                [
                    "model": "m",
                    "messages": [
                        [
                            "role": "user",
                            "content": [["type": "image_url", "image_url": ["url": .string("https://h.example/i.png?k=" + key)]]],
                        ]
                    ],
                ]
            ),
        ]
        for (name, body) in bodies {
            let (inspected, report) = try Self.inspect(body)
            #expect(report.entries.contains { $0.type == "aws_access_key_id" && $0.action == "redact" }, "\(name)")
            #expect(!inspected.serializedString.contains(key), "\(name)")
        }
    }

    @Test func aValueSplitOverTwoMessagesOrPartsIsFound() throws {
        let key = Self.awsKey
        let split = key.index(key.startIndex, offsetBy: 9)
        let messages: JSONValue = [
            ["role": "user", "content": .string("first half " + key[..<split])],
            ["role": "user", "content": [["type": "text", "text": .string(String(key[split...]) + " second half")]]],
        ]
        let (inspected, report) = try Self.inspect(["model": "m", "messages": messages])
        #expect(report.entries.contains { $0.type == "aws_access_key_id" })
        let text = inspected.serializedString
        #expect(!text.contains(String(key[..<split])) && !text.contains(String(key[split...])))
    }

    @Test func binaryMediaIsNotReadButTextDressedAsAnImageIs() throws {
        let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        let disguised = "data:image/png;base64," + Self.base64("the key " + Self.awsKey)
        let part = { (url: String) -> JSONValue in
            ["model": "m", "messages": [["role": "user", "content": [["type": "image_url", "image_url": ["url": .string(url)]]]]]]
        }
        #expect(try Self.inspect(part(png)).1.entries.isEmpty)
        #expect(try Self.inspect(part(disguised)).1.entries.contains { $0.type == "aws_access_key_id" && $0.encoding == "base64" })
    }

    @Test func remoteMediaCanBeRefusedByPolicy() {
        let body: JSONValue = [
            "model": "m",
            "messages": [
                ["role": "user", "content": [["type": "image", "source": ["type": "url", "url": "https://cdn.example/cat.png"]]]]
            ],
        ]
        #expect(throws: PolicyBlock.self) { try Self.inspect(body, policy: "version: 1\nactions:\n  remote_media_url: block") }
        #expect((try? Self.inspect(body))?.1.entries.map(\.type) == ["remote_media_url"])
    }

    @Test func textTooLargeToReadIsNotPassedUnremarked() {
        let payload = String(repeating: Self.base64("plain text, nothing to see. "), count: (EncodedRuns.maxRun / 36) + 2)
        let body: JSONValue = [
            "model": "m",
            "messages": [
                ["role": "user", "content": [["type": "file", "file": ["file_data": .string("data:text/plain;base64," + payload)]]]]
            ],
        ]
        #expect {
            try Self.inspect(body)
        } throws: { error in
            (error as? PolicyBlock)?.message.contains("uninspectable_content") == true
        }
    }

    @Test func aBlockedKeyIsNotRepeatedInTheError() {
        let url = "https://pastebin.com/raw/1"
        let body: JSONValue = ["model": "m", "messages": [["role": "user", "content": "hi"]], "metadata": [url: "x"]]
        #expect {
            try Self.inspect(body)
        } throws: { error in
            let error = error as! PolicyBlock
            return error.message.contains("metadata.[REDACTED]") && !error.message.contains("pastebin")
        }
    }

    @Test func aSecretAssignedInAFieldRedactsTheValueNotTheFieldName() throws {
        let secret = "Zq8" + SeededText.random(29, seed: 3)
        let body: JSONValue = ["model": "m", "messages": [["role": "user", "content": "hi"]], "metadata": ["password": .string(secret)]]
        let (inspected, report) = try Self.inspect(body)
        #expect(!report.entries.isEmpty)
        let metadata = try #require(inspected["metadata"]?.objectValue)
        #expect(metadata.keys.sorted() == ["password"])
        #expect(metadata["password"]?.stringValue?.hasPrefix("[REDACTED:") == true)
    }
}
