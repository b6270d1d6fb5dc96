import Detection
internal import TextViews

/// What a media field of a request holds: a `data:` URL (RFC 2397) with a text or binary
/// payload, base64 that claims a binary type, or a remote location the host would fetch.
enum MediaPayload {
    /// Media types whose payload is text, and is read like any other text.
    static func isText(mediaType: String) -> Bool {
        let type = mediaType.lowercased()
        return type.hasPrefix("text/") || type.hasSuffix("+json") || type.hasSuffix("+xml")
            || [
                "application/json", "application/xml", "application/javascript", "application/x-yaml", "application/yaml",
                "application/x-sh", "application/x-www-form-urlencoded", "application/sql", "application/toml",
            ].contains(type)
    }

    /// A `data:` URL's media type and the length of its header (through the comma), or nil.
    static func dataURLHeader(_ text: String) -> (mediaType: String, length: Int)? {
        let utf8 = text.utf8
        guard utf8.count > 5, utf8.prefix(5).lazy.map({ $0 | 0x20 }).elementsEqual("data:".utf8),
            let comma = utf8.prefix(1024).firstIndex(of: UInt8(ascii: ","))
        else { return nil }
        let header = text[text.index(text.startIndex, offsetBy: 5)..<comma]
        let mediaType = header.split(separator: ";", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return (mediaType.isEmpty ? "text/plain" : mediaType, utf8.distance(from: utf8.startIndex, to: comma) + 1)
    }

    /// Whether a payload that claims a binary type begins with base64 of text: a real image or
    /// document does not, a value dressed up as one does.
    static func decodesToText(_ text: String, from offset: Int) -> Bool {
        let payload = text.utf8.dropFirst(offset).prefix(64).prefix { $0 != UInt8(ascii: "=") }
        guard let bytes = EncodedRuns.base64Bytes(payload), bytes.count >= 8 else { return false }
        return EncodedRuns.isText(bytes, partial: true)
    }

    /// A location a host would fetch (`http:`, `https:`, `ftp:`, or scheme-relative `//`).
    static func isRemote(_ text: String) -> Bool {
        let start = text.utf8.prefix(8).map { $0 | 0x20 }
        return start.starts(with: "http://".utf8) || start.starts(with: "https://".utf8) || start.starts(with: "ftp://".utf8)
            || text.hasPrefix("//")
    }
}
