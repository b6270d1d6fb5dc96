/// Passwords written without an `=` or `:` between the word and the value: in prose (`my
/// password is Xy7k…`, `mijn wachtwoord is …`, `mon mot de passe est …`, `mein Passwort
/// lautet …`, `Password Xy7k…`) and in markup (`<password>…</password>`). Anchored on the
/// password words themselves (``SecretGates``), so text without one costs nothing more. The value must look
/// like a password, not a word: 8+ characters with a digit or a symbol, as
/// ``SecretAssignments/isPlausiblePassword(_:quoted:)`` judges, so `the password is incorrect`
/// or `password reset link` say nothing.
struct PasswordPhrases {
    /// Words between the password word and the value: `is`, `est`, `ist`, `lautet`, `wordt`, `was`, `=`.
    static let links = ["is", "was", "est", "ist", "lautet", "wordt", "becomes", "blijft", "reste", "bleibt", "="].map { Array($0.utf8) }

    /// Where the password words are, found from the gate pass's anchors: each word once.
    static func passwordWords(_ scanner: TextScanner, gates: SecretGates) -> [Range<Int>] {
        let bytes = scanner.bytes
        var words: [Range<Int>] = []
        var lastStart = -1
        for hit in gates.passwordAnchors {
            var start = hit
            while start > 0, TextScanner.isAlnum(bytes[start - 1]) { start -= 1 }
            guard start != lastStart else { continue }
            lastStart = start
            let end = scanner.run(from: hit, while: TextScanner.isAlnum)
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
            if let value = value(after: word.upperBound, opened: word.lowerBound > 0 && bytes[word.lowerBound - 1] == 0x3C, scanner) {
                found.append(("password", value))
            }
        }
        return found
    }

    /// `password`, `passwd`, `Passwort`, `passphrase`, `wachtwoord`, `Kennwort`, `pass`, and
    /// `passe` after `mot de`.
    static func isPasswordWord(_ word: ArraySlice<UInt8>, _ scanner: TextScanner, at start: Int) -> Bool {
        // Most words holding an anchor (`class`, `assert`, `upward`) end in none of the suffixes: bytes first.
        guard let last = word.last, [0x64, 0x44, 0x74, 0x54, 0x65, 0x45, 0x73, 0x53, 0x77, 0x57].contains(last) else { return false }
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

    /// The value after the password word ending at `end`: inside a `<password>…</password>`
    /// element, or after spaces and at most one linking word.
    private func value(after end: Int, opened: Bool, _ scanner: TextScanner) -> Range<Int>? {
        let bytes = scanner.bytes
        guard end < bytes.count else { return nil }
        if opened {
            guard bytes[end] == 0x3E else { return nil }
            let close = scanner.run(from: end + 1) { $0 != 0x3C && $0 != 0x0A }
            return judged(end + 1..<close, scanner)
        }
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
        if !linked, let after = Self.linkAfterWords(from: cursor, bytes) {
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

    /// Words after a password word that make the phrase about the password, not the password.
    static let aboutWords: Set<String> = [
        "policy", "policies", "reset", "hint", "hints", "length", "format", "rule", "rules", "requirement", "requirements",
        "strength", "complexity", "expiry", "expiration", "field", "prompt", "manager", "change", "changes", "rotation", "history",
        "hash", "regex", "pattern", "validation", "protected", "protection", "richtlinie", "regel", "regels", "eisen", "politique",
        "longueur", "vergessen", "vergeten", "oublié", "oublie",
    ]

    /// Where the value starts when up to four words (letters only, none of ``aboutWords``) and
    /// then a linking word or a colon follow `start`; nil otherwise.
    static func linkAfterWords(from start: Int, _ bytes: [UInt8]) -> Int? {
        var cursor = start
        for _ in 0..<4 {
            let wordEnd = cursor + bytes[cursor...].prefix { (TextScanner.isAlnum($0) && !TextScanner.isDigit($0)) || $0 >= 0x80 }.count
            guard wordEnd > cursor, wordEnd - cursor <= 16, wordEnd + 1 < bytes.count else { return nil }
            // `password policy: …`, `password reset link is …`: about the password, not it.
            let word = String(decoding: bytes[cursor..<wordEnd].map { TextScanner.fold($0, true) }, as: UTF8.self)
            guard !Self.aboutWords.contains(word) else { return nil }
            if bytes[wordEnd] == 0x3A, bytes[wordEnd + 1] == 0x20 { return wordEnd + 2 }
            guard bytes[wordEnd] == 0x20 else { return nil }
            cursor = wordEnd + 1
            for link in links.dropLast() where TextScanner.startsFolded(bytes[cursor...], with: link) {
                let after = cursor + link.count
                if after < bytes.count, bytes[after] == 0x20 { return after + 1 }
            }
        }
        return nil
    }

    private func judged(_ range: Range<Int>, _ scanner: TextScanner) -> Range<Int>? {
        let value = scanner.bytes[range]
        guard value.count >= 8, SecretAssignments.isPlausiblePassword(value, quoted: false), !SecretAssignments.isReference(value) else {
            return nil
        }
        // Prose needs more than a long word: a digit or a symbol; and not code or markup that
        // follows the word `pass` in a sentence (`pass inline=False`, `` `peek` ``, `**x**`, `a|b`).
        guard value.contains(where: { !TextScanner.isAlnum($0) || TextScanner.isDigit($0) }) else { return nil }
        guard !value.contains(where: { [0x3D, 0x7C, 0x2A, 0x60, 0x28].contains($0) }), value.first != 0x2D else { return nil }
        return range
    }
}
