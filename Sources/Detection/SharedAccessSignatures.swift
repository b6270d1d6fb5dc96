/// Azure shared access signatures: the `sig=` parameter of a URL whose query also names the
/// storage service version (`sv=`), the HMAC that grants whoever holds the URL the access it
/// lists (`…blob.core.windows.net/c/f?sv=2022-11-02&sp=r&se=…&sig=Xk3p…%3D`). The rest of the
/// URL says what and until when; the signature is the secret, and the finding covers it alone.
extension SecretDetector {
    static let versionParameter = Array("sv=".utf8)

    func sharedAccessSignatures(_ scanner: TextScanner) -> [Range<Int>] {
        let bytes = scanner.bytes
        var found: [Range<Int>] = []
        // The `=` of `sig=` is an operator the landmark pass already marked.
        for equals in scanner.landmarks.operators where equals >= 4 && bytes[equals] == 0x3D && bytes[equals - 1] == 0x67 {
            let hit = equals - 3
            guard bytes[hit] == 0x73, bytes[hit + 1] == 0x69, bytes[hit - 1] == 0x26 || bytes[hit - 1] == 0x3F else { continue }
            let start = equals + 1
            // Base64 of an HMAC-SHA256 (44 characters), percent-encoded or not.
            let end = scanner.run(from: start) { TextScanner.isAlnum($0) || $0 == 0x25 || $0 == 0x2B || $0 == 0x2F || $0 == 0x3D }
            guard end - start >= 40, end - start <= 200 else { continue }
            // The same URL (back to a space, quote or line start) carries `?sv=` or `&sv=`.
            var urlStart = hit
            while urlStart > 0, bytes[urlStart - 1] > 0x20, bytes[urlStart - 1] != 0x22, bytes[urlStart - 1] != 0x27 { urlStart -= 1 }
            let query = bytes[urlStart..<hit]
            let versioned =
                TextScanner.contains(query, [0x3F] + Self.versionParameter) || TextScanner.contains(query, [0x26] + Self.versionParameter)
            guard versioned, !Self.isPlaceholder(bytes[start..<end]) else { continue }
            found.append(start..<end)
        }
        return found
    }
}
