/// Passwords written without an `=` or `:` between the word and the value: in prose (`my
/// password is Xy7k…`, `mijn wachtwoord is …`, `mon mot de passe est …`, `mein Passwort
/// lautet …`, `Password Xy7k…`) and in markup (`<password>…</password>`). Anchored on the
/// password words themselves (a fast substring search for `ass`, `achtwoord`, `ennwort`, `pw`
/// in the usual cases), so text without one costs a few passes of that search and nothing else. The value must look
/// like a password, not a word: 8+ characters with a digit or a symbol, as
/// ``SecretAssignments/isPlausiblePassword(_:quoted:)`` judges, so `the password is incorrect`
/// or `password reset link` say nothing.
struct PasswordPhrases {
    static let anchors = ["ass", "ASS", "achtwoord", "ACHTWOORD", "ennwort", "ENNWORT", "pw", "PW", "Pw"].map { Array($0.utf8) }
    /// Words between the password word and the value: `is`, `est`, `ist`, `lautet`, `wordt`, `was`, `=`.
    static let links = ["is", "was", "est", "ist", "lautet", "wordt", "becomes", "blijft", "reste", "bleibt", "="].map { Array($0.utf8) }

    func scan(_ scanner: TextScanner) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        var seen = Set<Int>()
        for anchor in Self.anchors {
            for hit in scanner.occurrences(of: anchor) {
                var start = hit
                while start > 0, TextScanner.isAlnum(bytes[start - 1]) { start -= 1 }
                guard seen.insert(start).inserted else { continue }
                let end = scanner.run(from: hit, while: TextScanner.isAlnum)
                guard end - start <= 16, Self.isPasswordWord(bytes[start..<end], scanner, at: start) else { continue }
                if let value = value(after: end, opened: start > 0 && bytes[start - 1] == 0x3C, scanner) {
                    found.append(("password", value))
                }
            }
        }
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// `password`, `passwd`, `Passwort`, `passphrase`, `wachtwoord`, `Kennwort`, `pass`, and
    /// `passe` after `mot de`.
    static func isPasswordWord(_ word: ArraySlice<UInt8>, _ scanner: TextScanner, at start: Int) -> Bool {
        let folded = String(decoding: word.map { TextScanner.fold($0, true) }, as: UTF8.self)
        if folded == "passe" { return start >= 7 && scanner.text(start - 7..<start).lowercased() == "mot de " }
        if folded == "pass" || folded == "passwords" || folded == "pw" || folded == "pwd" { return true }
        return SecretName.passwordSuffixes.contains { folded.hasSuffix($0) } && !folded.hasSuffix("passcode")
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
        guard linked || quoted || !SecretAssignments.isWordRun(bytes[cursor..<valueEnd]) else { return nil }
        return judged(cursor..<valueEnd, scanner)
    }

    private func judged(_ range: Range<Int>, _ scanner: TextScanner) -> Range<Int>? {
        let value = scanner.bytes[range]
        guard !value.isEmpty, !SecretAssignments.isReference(value), SecretAssignments.isPlausiblePassword(value, quoted: false) else {
            return nil
        }
        // Prose needs more than a long word: a digit or a symbol.
        guard value.contains(where: { !TextScanner.isAlnum($0) || TextScanner.isDigit($0) }) else { return nil }
        return range
    }
}
