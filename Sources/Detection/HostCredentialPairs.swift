/// Logins written as `user/password` after the host they open, as admins note them in tickets,
/// chat and runbooks: `10.0.0.5 (admin/Xy7k…)`, `ssh deploy@db01 (root/Xy7k…, ops/Q9v…)`,
/// `10.0.0.5 --> admin/Xy7k…`, `ID/PW: admin/Xy7k…`. A line counts when it names a host (an
/// IPv4 address or `user@host`), and then the pair must stand in parentheses or end the line;
/// or after a combined label (`ID/Pass:`, `login/password-`), anywhere. Its second half must
/// look like a password, not a path or a name: 8–32 characters of at least three kinds
/// (lower, upper, digit, symbol), not CamelCase words, a run of words or a file name. Paths
/// and repository names (`docs/Setup2Guide`, `org/repo-v2`) say nothing.
struct HostCredentialPairs {
    /// The pairs on lines with a host, and after the password words of `words` that end a
    /// combined label (`ID/PW: admin/Xy7k…`, `login/password-admin/Xy7k…`, `(ID&PWD):admin/…`:
    /// anywhere on the rest of the word's line).
    func scan(_ scanner: TextScanner, passwordWords words: [Range<Int>]) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var lines: [Range<Int>] = []
        // A combined label: the password word right after `/` or `&` (`ID/PW`, `login/password`, `ID&PWD`).
        let labelled = words.filter { $0.lowerBound > 0 && (bytes[$0.lowerBound - 1] == 0x2F || bytes[$0.lowerBound - 1] == 0x26) }
            .map { restOfLine(from: $0.upperBound, bytes) }
        for at in scanner.landmarks.ats where at > 0 && at + 1 < bytes.count {
            guard TextScanner.isAlnum(bytes[at - 1]), TextScanner.isAlnum(bytes[at + 1]) else { continue }
            lines.append(restOfLine(from: at, bytes))
        }
        for start in scanner.landmarks.numberStarts where isIPv4(at: start, bytes) {
            lines.append(restOfLine(from: start, bytes))
        }
        guard !lines.isEmpty || !labelled.isEmpty else { return [] }
        var found: [(type: String, range: Range<Int>)] = []
        var done = 0
        for line in labelled where line.upperBound > done {
            found += pairs(in: max(line.lowerBound, done)..<line.upperBound, bytes, labelled: true)
            done = line.upperBound
        }
        done = 0
        for line in lines.sorted(by: { $0.lowerBound < $1.lowerBound }) where line.upperBound > done {
            found += pairs(in: max(line.lowerBound, done)..<line.upperBound, bytes, labelled: false)
            done = line.upperBound
        }
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// From `offset` to the line's end, at most 240 bytes.
    private func restOfLine(from offset: Int, _ bytes: [UInt8]) -> Range<Int> {
        var end = offset
        while end < bytes.count, bytes[end] != 0x0A, end - offset < 240 { end += 1 }
        return offset..<end
    }

    /// Four dot-separated numbers of one to three digits, not inside a longer number or version.
    private func isIPv4(at start: Int, _ bytes: [UInt8]) -> Bool {
        if start > 0, TextScanner.isAlnum(bytes[start - 1]) || bytes[start - 1] == 0x2E { return false }
        var cursor = start
        for part in 0..<4 {
            let digitsStart = cursor
            while cursor < bytes.count, cursor - digitsStart < 4, TextScanner.isDigit(bytes[cursor]) { cursor += 1 }
            guard cursor > digitsStart, cursor - digitsStart <= 3 else { return false }
            if part < 3 {
                guard cursor < bytes.count, bytes[cursor] == 0x2E else { return false }
                cursor += 1
            }
        }
        guard cursor < bytes.count else { return true }
        let next = bytes[cursor]
        return !TextScanner.isAlnum(next) && !(next == 0x2E && cursor + 1 < bytes.count && TextScanner.isDigit(bytes[cursor + 1]))
    }

    /// The password halves of the pairs in `segment`. After a password word (`labelled`) a pair
    /// may also follow a colon or a dash and stand anywhere on the line.
    private func pairs(in segment: Range<Int>, _ bytes: [UInt8], labelled: Bool) -> [(type: String, range: Range<Int>)] {
        var found: [(type: String, range: Range<Int>)] = []
        let isUserByte: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
        for slash in segment where bytes[slash] == 0x2F {
            var userStart = slash
            while userStart > segment.lowerBound, isUserByte(bytes[userStart - 1]), slash - userStart < 32 { userStart -= 1 }
            // `password-admin/…`: the dash is the label's, not the user's.
            while userStart < slash, !TextScanner.isAlnum(bytes[userStart]) { userStart += 1 }
            let before: UInt8 = userStart > segment.lowerBound ? bytes[userStart - 1] : 0x20
            let opening: [UInt8] = labelled ? [0x20, 0x09, 0x28, 0x2C, 0x3E, 0x3A, 0x2D] : [0x20, 0x09, 0x28, 0x2C, 0x3E]
            guard userStart < slash, opening.contains(before) else { continue }
            guard isUserName(bytes[userStart..<slash]) else { continue }
            let end =
                slash + 1 + bytes[(slash + 1)..<segment.upperBound].prefix { $0 > 0x20 && $0 != 0x29 && $0 != 0x2C && $0 != 0x2F }.count
            let after: UInt8? = end < segment.upperBound ? bytes[end] : nil
            guard after != 0x2F else { continue }
            var rest = end
            while rest < segment.upperBound, bytes[rest] == 0x20 || bytes[rest] == 0x0D { rest += 1 }
            guard labelled || before == 0x28 || after == 0x29 || rest == segment.upperBound else { continue }
            let password = bytes[(slash + 1)..<end]
            guard isPasswordLike(password) else { continue }
            found.append(("password", (slash + 1)..<end))
        }
        return found
    }

    /// `admin`, `root`, `j.doe`, `Administrator`: a letter, then lower-case letters, digits, `.`,
    /// `_` or `-` (a base64 run cut at a slash has capitals all through).
    private func isUserName(_ user: ArraySlice<UInt8>) -> Bool {
        guard user.count >= 2, let first = user.first, TextScanner.isAlnum(first), !TextScanner.isDigit(first) else { return false }
        return user.dropFirst().allSatisfy { !TextScanner.isUpper($0) }
    }

    /// 8–32 characters: longer runs after a slash are base64 or hashes, not a typed password.
    private func isPasswordLike(_ value: ArraySlice<UInt8>) -> Bool {
        guard value.count >= 8, value.count <= 32 else { return false }
        guard RepeatedSecrets.isDistinctive(value), !SecretAssignments.isCamelCaseName(value) else { return false }
        return SecretAssignments.isPlausiblePassword(value, quoted: false) && !SecretAssignments.isReference(value)
    }
}
