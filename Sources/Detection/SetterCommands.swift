/// A credential set by a command that takes a name and a value as two words, without `=`:
/// `aws configure set aws_secret_access_key …`, `npm config set //registry.npmjs.org/:_authToken …`,
/// `yarn config set npmAuthToken …`, `dotnet user-secrets set "Stripe:SecretKey" …`, Windows'
/// `setx API_TOKEN …`, `launchctl setenv API_TOKEN …`, fish's `set -gx API_TOKEN …`.
///
/// The name is the word after the command word (`set`, `setx`, `setenv`, after at most two
/// flags); its last part (after `:`, `/`) must name a credential, and the value is judged as an
/// assignment's (``SecretAssignments/judge(_:_:_:nameStart:)``): `set password to expire`,
/// `config set token_expiry 3600`, `aws configure set region eu-west-1` stay silent. The command
/// words are read at the word starts the landmark pass already marks for token prefixes (`s`
/// begins `sk-`), so no pass over the text is added. (`git config KEY VALUE` starts with a byte
/// that pass does not mark, and is not read.)
struct SetterCommands {
    func scan(_ scanner: TextScanner, assignments: SecretAssignments) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        for start in scanner.landmarks.prefixStarts where start + 4 < bytes.count && bytes[start] == 0x73 {
            guard bytes[start + 1] == 0x65, bytes[start + 2] == 0x74, let wordEnd = Self.commandWordEnd(start + 3, bytes) else { continue }
            // A command word of its own: at a line's start or after a space, tab or backtick.
            guard start == 0 || bytes[start - 1] == 0x20 || bytes[start - 1] == 0x09 || bytes[start - 1] == 0x0A || bytes[start - 1] == 0x60
            else { continue }
            guard let (kind, name, valueStart) = credentialName(after: wordEnd, scanner),
                var value = assignments.value(at: valueStart, scanner), bytes[value.range.lowerBound] != 0x2D
            else { continue }
            // A command quoted in Markdown: `setx API_TOKEN …` ends at its backtick.
            if !value.quoted, let tick = bytes[value.range].firstIndex(of: 0x60) { value.range = value.range.lowerBound..<tick }
            guard !value.range.isEmpty, let type = assignments.judge(kind, value, scanner, nameStart: name) else { continue }
            found.append((type, value.range))
        }
        return found
    }

    /// After `set`: the end of `set `, `setx ` or `setenv ` (past the space), or nil.
    private static func commandWordEnd(_ offset: Int, _ bytes: [UInt8]) -> Int? {
        var position = offset
        if bytes[position] == 0x78 {
            position += 1
        } else if position + 3 < bytes.count, bytes[position] == 0x65, bytes[position + 1] == 0x6E, bytes[position + 2] == 0x76 {
            position += 3
        }
        guard position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 else { return nil }
        return position + 1
    }

    /// The kind and start of the credential name among the next words (after at most two flags),
    /// and where its value may start; nil when the next word is not a name followed by a space.
    private func credentialName(after offset: Int, _ scanner: TextScanner) -> (SecretName.Kind, Int, Int)? {
        let bytes = scanner.bytes
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        var position = scanner.run(from: offset, while: isSpace)
        var flags = 0
        while position < bytes.count, bytes[position] == 0x2D {
            flags += 1
            guard flags <= 2 else { return nil }
            while position < bytes.count, bytes[position] > 0x20 { position += 1 }
            position = scanner.run(from: position, while: isSpace)
        }
        guard position < bytes.count else { return nil }
        var quote: UInt8?
        if bytes[position] == 0x22 || bytes[position] == 0x27 {
            quote = bytes[position]
            position += 1
        }
        let tokenStart = position
        while position < bytes.count, bytes[position] > 0x20, bytes[position] != 0x3D, bytes[position] != quote {
            position += 1
        }
        let tokenEnd = position
        if let quote {
            guard position < bytes.count, bytes[position] == quote else { return nil }
            position += 1
        }
        // Two words: the name, then a space or tab and the value (`name=value` is an assignment).
        guard tokenEnd > tokenStart, position + 1 < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 else { return nil }
        var nameStart = tokenEnd
        while nameStart > tokenStart, bytes[nameStart - 1] != 0x3A, bytes[nameStart - 1] != 0x2F { nameStart -= 1 }
        guard nameStart < tokenEnd, let kind = SecretName.kind(of: bytes[nameStart..<tokenEnd]) else { return nil }
        return (kind, nameStart, position + 1)
    }
}
