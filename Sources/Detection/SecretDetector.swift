/// Finds credentials: provider tokens by their documented prefixes and shapes
/// (``SecretDetector/rules``), PEM/OpenSSH/PGP private key blocks, JWTs, passwords inside
/// URLs, values assigned to names that say secret (``SecretAssignments``) and passwords
/// written in prose or markup (``PasswordPhrases``). Documented
/// example values and placeholders are not findings. Pure.
struct SecretDetector {
    /// For each first byte, the (rule, prefix) pairs that start with it, longest prefix first.
    static let prefixesByFirstByte: [[(Int, [UInt8])]] = {
        var table = [[(Int, [UInt8])]](repeating: [], count: 256)
        for (index, rule) in rules.enumerated() {
            for prefix in rule.prefixes {
                let bytes = Array(prefix.utf8)
                table[Int(bytes[0])].append((index, bytes))
            }
        }
        return table.map { $0.sorted { $0.1.count > $1.1.count } }
    }()

    /// The first two bytes of every prefix.
    static let prefixPairs = TextScanner.BytePairs(startsOf: rules.flatMap(\.prefixes).map { Array($0.utf8) })

    func scan(_ scanner: TextScanner) -> [(type: String, range: Range<Int>)] {
        let keys = privateKeyBlocks(scanner).map { (type: "private_key", range: $0) }
        // Lower-case prefixes at the word starts the landmark pass marked for them; prefixes
        // that start with a capital at the capitalised word starts.
        var tokens = prefixedTokens(scanner, at: scanner.landmarks.prefixStarts)
        tokens += prefixedTokens(scanner, at: scanner.landmarks.capitals)
        tokens += twilioCompanionSecrets(after: tokens, scanner)
        tokens.sort { $0.range.lowerBound < $1.range.lowerBound }
        let gates = SecretGates(scanner.bytes)
        let passwordWords = PasswordPhrases.passwordWords(scanner, gates: gates)
        let families: [[(type: String, range: Range<Int>)]] = [
            keys, tokens, jsonWebTokens(scanner).map { ("jwt", $0) }, passwordsInURLs(scanner).map { ("password_in_url", $0) },
            sharedAccessSignatures(scanner).map { ("azure_sas_token", $0) },
            SecretAssignments().scan(scanner, gates: gates), PasswordPhrases().scan(scanner, words: passwordWords),
            HostCredentialPairs().scan(scanner, passwordWords: passwordWords),
        ]
        guard families.contains(where: { !$0.isEmpty }) else { return [] }
        // Each family's findings come sorted by start; the most specific family goes first.
        var found: [(type: String, range: Range<Int>)] = []
        var taken = TextScanner.Coverage()
        for family in families where !family.isEmpty {
            found += taken.takeFree(family, range: \.range)
        }
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// Provider tokens starting at `starts`: one pass for every prefix rule, a table by first
    /// byte saying which prefixes to try.
    private func prefixedTokens(_ scanner: TextScanner, at starts: Landmarks.Positions) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var tokens: [(type: String, range: Range<Int>)] = []
        for start in starts where start + 1 < bytes.count {
            // Most words that start with a prefix's first byte do not go on with its second.
            guard Self.prefixPairs.contains(bytes[start], bytes[start + 1]) else { continue }
            let candidates = Self.prefixesByFirstByte[Int(bytes[start])]
            for (ruleIndex, needle) in candidates where start + needle.count <= bytes.count {
                guard bytes[start..<start + needle.count].elementsEqual(needle) else { continue }
                let rule = Self.rules[ruleIndex]
                let bodyStart = start + needle.count
                let end = scanner.run(from: bodyStart, while: rule.allowed)
                guard rule.length.contains(end - bodyStart) else { continue }
                if end < bytes.count, TextScanner.isAlnum(bytes[end]) { continue }
                // Words in lower or title case (`xoxb-your-bot-token`); an upper-case body (AWS's
                // base32) spells no words: it is one by chance in twenty.
                let body = bytes[bodyStart..<end]
                if rule.refusesWords, body.contains(where: { (0x61...0x7A).contains($0) }), SecretAssignments.isWordRun(body) { continue }
                guard !Self.isPlaceholder(bytes[start..<end]) else { continue }
                tokens.append((rule.type, start..<end))
                break
            }
        }
        return tokens
    }

    static let beginMarker = Array("-----BEGIN ".utf8)
    static let endMarker = Array("-----END ".utf8)
    static let jwtStart = Array("eyJ".utf8)
    static let privateKeyWords = Array("PRIVATE KEY".utf8)

    /// `-----BEGIN … PRIVATE KEY-----` (PKCS#1/#8, OpenSSH, EC, encrypted, and PGP's `PRIVATE
    /// KEY BLOCK`) through the matching END line.
    func privateKeyBlocks(_ scanner: TextScanner) -> [Range<Int>] {
        var blocks: [Range<Int>] = []
        let end = Self.endMarker
        for start in scanner.occurrences(of: Self.beginMarker) {
            let header = scanner.run(from: start + 11) { $0 != 0x2D && $0 != 0x0A }
            guard TextScanner.contains(scanner.bytes[start + 11..<header], Self.privateKeyWords) else { continue }
            guard let close = scanner.occurrences(of: end).first(where: { $0 > header }) else { continue }
            // A key has a body: not a BEGIN line and an END line written as constants in code.
            let body = scanner.bytes[header..<close].filter { TextScanner.isAlnum($0) || $0 == 0x2B || $0 == 0x2F }.count
            guard body >= 32 else { continue }
            let closeEnd = scanner.run(from: close + end.count) { $0 != 0x0A }
            blocks.append(start..<closeEnd)
        }
        return blocks
    }

    /// Three base64url segments, the first two decoding to JSON objects (`eyJ` = `{"`).
    func jsonWebTokens(_ scanner: TextScanner) -> [Range<Int>] {
        let base64url: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x2D || $0 == 0x5F }
        var tokens: [Range<Int>] = []
        for start in scanner.occurrences(of: Self.jwtStart) where !scanner.followsWord(start) {
            let header = scanner.run(from: start, while: base64url)
            guard header - start >= 10, header < scanner.bytes.count, scanner.bytes[header] == 0x2E else { continue }
            let payload = scanner.run(from: header + 1, while: base64url)
            guard payload - header > 10, scanner.text(header + 1..<header + 4) == "eyJ" else { continue }
            guard payload < scanner.bytes.count, scanner.bytes[payload] == 0x2E else { continue }
            let signature = scanner.run(from: payload + 1, while: base64url)
            guard signature - payload > 16, !Self.isPlaceholder(scanner.bytes[start..<signature]) else { continue }
            tokens.append(start..<signature)
        }
        return tokens
    }

    /// `scheme://user:password@host` (or `scheme://:password@host`): the password part.
    func passwordsInURLs(_ scanner: TextScanner) -> [Range<Int>] {
        var found: [Range<Int>] = []
        let userChars: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D || $0 == 0x25 }
        let bytes = scanner.bytes
        for separator in scanner.landmarks.colons
        where separator + 2 < bytes.count && bytes[separator + 1] == 0x2F && bytes[separator + 2] == 0x2F {
            let userEnd = scanner.run(from: separator + 3, while: userChars)
            // `redis://:password@host`: a password with no user name.
            guard userEnd < scanner.bytes.count, scanner.bytes[userEnd] == 0x3A else { continue }
            let passwordEnd = scanner.run(from: userEnd + 1) { $0 > 0x20 && $0 != 0x40 && $0 != 0x2F && $0 != 0x22 && $0 != 0x27 }
            guard passwordEnd > userEnd + 1, passwordEnd < scanner.bytes.count, scanner.bytes[passwordEnd] == 0x40 else { continue }
            let password = scanner.bytes[userEnd + 1..<passwordEnd]
            guard !Self.isPlaceholder(password), password.count > 4 else { continue }
            // `cvs://:pserver:anoncvs@host`: CVS's access method, not a password.
            if userEnd == separator + 3, password.contains(0x3A) { continue }
            // `userid:password@`, `postgres:postgres@`: a word, or the user name again, is an example.
            let user = scanner.bytes[separator + 3..<userEnd]
            let word = String(decoding: password.map { TextScanner.fold($0, true) }, as: UTF8.self)
            guard !password.elementsEqual(user), !SecretAssignments.trivialValues.contains(word) else { continue }
            found.append(userEnd + 1..<passwordEnd)
        }
        return found
    }
}
