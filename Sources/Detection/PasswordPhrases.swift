/// Passwords written without an `=` or `:` between the word and the value: in prose (`my
/// password is Xy7k…`, `mijn wachtwoord is …`, `mon mot de passe est …`, `mein Passwort
/// lautet …`, `Password Xy7k…`) and in markup (`<password>…</password>`). Anchored on the
/// password words themselves (``SecretGates``), so text without one costs nothing more. The value must look
/// like a password, not a word: 8+ characters with a digit or a symbol, as
/// ``SecretAssignments/isPlausiblePassword(_:quoted:)`` judges, so `the password is incorrect`
/// or `password reset link` say nothing.
struct PasswordPhrases {
    /// Words between the password word and the value: `is`, `est`, `ist`, `lautet`, `wordt`, `was`,
    /// Spanish `es`, Portuguese `é`, Italian `è`, Swedish `är`, `=`.
    static let links = ["is", "was", "est", "ist", "lautet", "wordt", "becomes", "blijft", "reste", "bleibt", "es", "é", "è", "är", "="]
        .map { Array($0.utf8) }

    /// Where the password words are, found from the gate pass's anchors: each word once.
    static func passwordWords(_ scanner: TextScanner, gates: SecretGates) -> [Range<Int>] {
        let bytes = scanner.bytes
        var words: [Range<Int>] = []
        var lastStart = -1
        for hit in gates.passwordAnchors {
            var start = hit
            // Letters beyond ASCII belong to the word (`contraseña`, `hasło`).
            while start > 0, TextScanner.isAlnum(bytes[start - 1]) || bytes[start - 1] >= 0x80 { start -= 1 }
            guard start != lastStart else { continue }
            lastStart = start
            let end = scanner.run(from: hit) { TextScanner.isAlnum($0) || $0 >= 0x80 }
            guard end - start <= 16, isPasswordWord(bytes[start..<end], scanner, at: start) else { continue }
            words.append(start..<end)
        }
        return words
    }

    /// The passwords after `words` (``passwordWords(_:gates:)``).
    func scan(_ scanner: TextScanner, words: [Range<Int>]) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        for word in words {
            if let value = value(after: word, opened: word.lowerBound > 0 && bytes[word.lowerBound - 1] == 0x3C, scanner) {
                found.append(("password", value))
            } else if !Self.isVerbPass(word, bytes), let value = value(before: word, scanner) {
                found.append(("password", value))
            } else if let pair = SecretAssignments().quotedPairValue(after: word, scanner) {
                found.append(pair)
            }
        }
        return found
    }

    /// `password`, `passwd`, `Passwort`, `passphrase`, `wachtwoord`, `Kennwort`, `pass`, and
    /// `passe` after `mot de`.
    static func isPasswordWord(_ word: ArraySlice<UInt8>, _ scanner: TextScanner, at start: Int) -> Bool {
        // Most words holding an anchor (`class`, `assert`, `upward`) end in none of the suffixes: bytes first.
        guard let last = word.last, [0x64, 0x44, 0x74, 0x54, 0x65, 0x45, 0x73, 0x53, 0x77, 0x57, 0x61, 0x41, 0x6F, 0x4F].contains(last)
        else {
            return false
        }
        if equalsFolded(word, passe) { return start >= 7 && TextScanner.startsFolded(scanner.bytes[(start - 7)...], with: motDe) }
        if shortWords.contains(where: { equalsFolded(word, $0) }) { return true }
        return suffixes.contains { word.count >= $0.count && equalsFolded(word.suffix($0.count), $0) }
    }

    static let passe = Array("passe".utf8)
    static let motDe = Array("mot de ".utf8)
    static let shortWords = ["pass", "passwords", "pw", "pwd"].map { Array($0.utf8) }
    static let suffixes = SecretName.passwordSuffixes.filter { $0 != "passcode" }.map { Array($0.utf8) }

    private static func equalsFolded(_ bytes: ArraySlice<UInt8>, _ lowercase: [UInt8]) -> Bool {
        bytes.count == lowercase.count && TextScanner.startsFolded(bytes, with: lowercase)
    }

    /// The value after the password word `word`: inside a `<password>…</password>`
    /// element, or after spaces and at most one linking word.
    private func value(after word: Range<Int>, opened: Bool, _ scanner: TextScanner) -> Range<Int>? {
        let bytes = scanner.bytes
        let end = word.upperBound
        guard end < bytes.count else { return nil }
        if opened {
            guard bytes[end] == 0x3E else { return nil }
            let close = scanner.run(from: end + 1) { $0 != 0x3C && $0 != 0x0A }
            return judged(end + 1..<close, scanner)
        }
        if bytes[end] == 0x28 || bytes[end] == 0x29 { return bracketed(after: word, scanner) }
        // Assignments (`=`, `:`) are ``SecretAssignments``' to read.
        guard bytes[end] == 0x20 else { return nil }
        var cursor = end + 1
        var linked = false
        for link in Self.links where TextScanner.startsFolded(bytes[cursor...], with: link) {
            let after = cursor + link.count
            if after < bytes.count, bytes[after] == 0x20 {
                cursor = after + 1
                linked = true
                break
            }
        }
        // `the password for the staging server is …`, `mot de passe du serveur est …`, `Kennwort
        // für den Admin: …`: a few words saying whose password it is, then the link.
        // Not after the verb `pass` (`may pass through it`), the commonest password word in prose.
        if !linked, !Self.isVerbPass(word, bytes), let after = Self.linkAfterWords(from: cursor, bytes) {
            cursor = after
            linked = true
        }
        while cursor < bytes.count, bytes[cursor] == 0x20 { cursor += 1 }
        var quoted = false
        if cursor < bytes.count, bytes[cursor] == 0x22 || bytes[cursor] == 0x27 || bytes[cursor] == 0x60 {
            quoted = true
            cursor += 1
        }
        var valueEnd = scanner.run(from: cursor) { $0 > 0x20 && $0 != 0x22 && $0 != 0x27 && $0 != 0x60 && $0 != 0x3C }
        // Sentence punctuation after the value is not part of it.
        while valueEnd > cursor, [0x2E, 0x2C, 0x3B, 0x29, 0x3A].contains(bytes[valueEnd - 1]) { valueEnd -= 1 }
        // Without a linking word (`Password Xy7k…`) a run of words (`password reset-2024 link`) is not one.
        guard valueEnd - cursor >= 8, linked || quoted || !SecretAssignments.isWordRun(bytes[cursor..<valueEnd]) else { return nil }
        return judged(cursor..<valueEnd, scanner)
    }

    /// A password in brackets after its word (`PASSWORD(Xy7k#…)`), or after its word in brackets
    /// (`(PW)Xy7k#…`), as forms and tickets write it. The word stands alone (not
    /// `check_password(…)` or `user.password(…)`) and the value has three kinds of characters and
    /// is neither a run of words nor an identifier: a call in code passes a variable.
    private func bracketed(after word: Range<Int>, _ scanner: TextScanner) -> Range<Int>? {
        let bytes = scanner.bytes
        if word.lowerBound > 0, SecretAssignments.isNameByte(bytes[word.lowerBound - 1]) { return nil }
        let valueStart = word.upperBound + 1
        let valueEnd = scanner.run(from: valueStart) { $0 > 0x20 && $0 != 0x28 && $0 != 0x29 && $0 != 0x2F && $0 != 0x2C }
        if bytes[word.upperBound] == 0x28 {
            guard valueEnd < bytes.count, bytes[valueEnd] == 0x29 else { return nil }
        } else {
            guard word.lowerBound > 0, bytes[word.lowerBound - 1] == 0x28 else { return nil }
        }
        let value = bytes[valueStart..<valueEnd]
        guard value.count >= 8, RepeatedSecrets.isDistinctive(value), !SecretAssignments.isReference(value),
            !SecretAssignments.isCamelCaseName(value), !(value.contains(0x5F) && value.allSatisfy { TextScanner.isAlnum($0) || $0 == 0x5F })
        else { return nil }
        return judged(valueStart..<valueEnd, scanner)
    }

    /// Words after a password word that make the phrase about the password, not the password.
    static let aboutWords: Set<String> = [
        "policy", "policies", "reset", "hint", "hints", "length", "format", "rule", "rules", "requirement", "requirements",
        "strength", "complexity", "expiry", "expiration", "field", "prompt", "manager", "change", "changes", "rotation", "history",
        "hash", "regex", "pattern", "validation", "protected", "protection", "richtlinie", "regel", "regels", "eisen", "politique",
        "longueur", "vergessen", "vergeten", "oublié", "oublie",
    ]

    /// Where the value starts when up to four words (letters only, none of ``aboutWords``) and
    /// then a linking word or a colon follow `start`; nil otherwise. The words are compared with
    /// ``aboutWords`` only once a link is found: most password words in prose have none.
    static func linkAfterWords(from start: Int, _ bytes: [UInt8]) -> Int? {
        var cursor = start
        for _ in 0..<4 {
            var wordEnd = cursor
            while wordEnd < bytes.count, wordEnd - cursor <= 16, isWordByte(bytes[wordEnd]) { wordEnd += 1 }
            guard wordEnd > cursor, wordEnd - cursor <= 16, wordEnd + 1 < bytes.count else { return nil }
            let valueStart: Int
            if bytes[wordEnd] == 0x3A, bytes[wordEnd + 1] == 0x20 {
                valueStart = wordEnd + 2
            } else {
                guard bytes[wordEnd] == 0x20 else { return nil }
                cursor = wordEnd + 1
                guard let end = linkEnd(at: cursor, bytes) else { continue }
                valueStart = end
            }
            // `password policy: …`, `password reset link is …`: about the password, not it.
            let about = bytes[start..<wordEnd].split(separator: 0x20).contains { word in
                Self.aboutWords.contains(String(decoding: word.map { TextScanner.fold($0, true) }, as: UTF8.self))
            }
            return about ? nil : valueStart
        }
        return nil
    }

    /// Letters, and the apostrophe of French and Dutch elisions (`l'admin`, `d'accès`).
    private static func isWordByte(_ byte: UInt8) -> Bool {
        (TextScanner.isAlnum(byte) && !TextScanner.isDigit(byte)) || byte >= 0x80 || byte == 0x27
    }

    /// The first letters of the linking words (`is`, `was`, `est`, `lautet`, `becomes`, `reste`).
    private static let linkInitials: Set<UInt8> = Set(links.dropLast().map { $0[0] })

    /// Just past a linking word and its space at `offset`, if one is there.
    private static func linkEnd(at offset: Int, _ bytes: [UInt8]) -> Int? {
        guard offset < bytes.count, linkInitials.contains(TextScanner.fold(bytes[offset], true)) else { return nil }
        for link in links.dropLast() where TextScanner.startsFolded(bytes[offset...], with: link) {
            let after = offset + link.count
            if after < bytes.count, bytes[after] == 0x20 { return after + 1 }
        }
        return nil
    }

    static let pass = Array("pass".utf8)

    /// `pass`, which prose uses as a verb far more than as a password's name.
    static func isVerbPass(_ word: Range<Int>, _ bytes: [UInt8]) -> Bool {
        word.count == pass.count && TextScanner.startsFolded(bytes[word], with: pass)
    }

    func judged(_ range: Range<Int>, _ scanner: TextScanner) -> Range<Int>? {
        let value = scanner.bytes[range]
        guard value.count >= 8, SecretAssignments.isPlausiblePassword(value, quoted: false), !SecretAssignments.isReference(value) else {
            return nil
        }
        // Prose needs more than a long word: a digit or a symbol; and not code or markup that
        // follows the word `pass` in a sentence (`pass inline=False`, `` `peek` ``, `**x**`, `a|b`).
        // Letters beyond ASCII are letters (`zurücksetzen`), and a sentence's closing `?` or `!`
        // is not a symbol of the value (`Password forgotten?`, `the password is incorrect!`).
        var core = value
        while let last = core.last, [0x3F, 0x21, 0x2E, 0x2C, 0x3B, 0x3A, 0x29].contains(last) { core = core.dropLast() }
        guard core.contains(where: { $0 < 0x80 && (!TextScanner.isAlnum($0) || TextScanner.isDigit($0)) }) else { return nil }
        guard !value.contains(where: { [0x3D, 0x7C, 0x2A, 0x60, 0x28].contains($0) }), value.first != 0x2D else { return nil }
        // A command or type in CamelCase (`$pw = ConvertTo-SecureString …`) names code, not a password.
        if SecretAssignments.isCamelCaseName(value), !value.contains(where: TextScanner.isDigit) { return nil }
        return range
    }
}
