internal import TextViews

/// A Twilio credential written as the pair its SDKs take: `Client("AC…", "<auth token>")`,
/// `sid: AC…` then `token: …`, `SK…:<API secret>`. The account SID (`AC` + 32 hex) and the API
/// key SID (`SK` + 32 hex) are found by their prefixes; the secret beside them has none: 32
/// lower-case hex characters (auth token) or 32 letters and digits (API secret), within a
/// few separators (quotes, commas, colons, spaces, one line break) and at most the name of a
/// secret (`token:`) after the SID. Any other word between (`RequestId`) ends the search.
extension SecretDetector {
    static let companionGap = 24

    func twilioCompanionSecrets(
        after tokens: [(type: String, range: Range<Int>)],
        _ scanner: TextScanner
    ) -> [(
        type: String, range: Range<Int>
    )] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        for token in tokens where token.type == "twilio_account_sid" || token.type == "twilio_api_key" {
            let accountSID = token.type == "twilio_account_sid"
            var cursor = token.range.upperBound
            var lineBreaks = 0
            // Separators, or the name of the next YAML/JSON/env key (`token:`, "authToken": ).
            while cursor < bytes.count, cursor - token.range.upperBound <= Self.companionGap {
                let byte = bytes[cursor]
                if byte == 0x0A { lineBreaks += 1 }
                guard lineBreaks <= 1,
                    [0x20, 0x09, 0x0A, 0x0D, 0x22, 0x27, 0x2C, 0x3A, 0x3D].contains(byte) || TextScanner.isAlnum(byte) || byte == 0x5F
                else { break }
                if Self.isNameLetter(byte) || TextScanner.isDigit(byte) {
                    let end = scanner.run(from: cursor) { TextScanner.isAlnum($0) }
                    if end - cursor == 32, end == bytes.count || !TextScanner.isAlnum(bytes[end]),
                        Self.isCompanion(bytes[cursor..<end], accountSID: accountSID)
                    {
                        found.append((accountSID ? "twilio_auth_token" : "twilio_api_secret", cursor..<end))
                        break
                    }
                    // A word between must name the secret (`token:`, `"authToken": `), not another id.
                    guard SecretName.mayName(bytes[cursor..<end]) else { break }
                    cursor = end
                    continue
                }
                cursor += 1
            }
        }
        return found
    }

    private static func isNameLetter(_ byte: UInt8) -> Bool {
        TextScanner.isAlnum(byte) && !TextScanner.isDigit(byte) || byte == 0x5F
    }

    /// 32 lower-case hex with digits and letters (auth token), or 32 letters and digits of
    /// both cases with a digit (API secret); random, not a word run.
    private static func isCompanion(_ value: ArraySlice<UInt8>, accountSID: Bool) -> Bool {
        let hasDigit = value.contains(where: TextScanner.isDigit)
        if accountSID {
            return hasDigit && value.allSatisfy { TextScanner.isDigit($0) || (0x61...0x66).contains($0) }
                && value.contains { (0x61...0x66).contains($0) } && TextScanner.entropy(value) >= 3.0
        }
        return hasDigit && value.contains(where: TextScanner.isUpper) && value.contains { (0x61...0x7A).contains($0) }
            && TextScanner.entropy(value) >= 3.5
    }
}
