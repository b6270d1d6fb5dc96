/// A password written before its word: `Xy7k… is the password`, `Xy7k… is my new password`,
/// `Xy7k… est le mot de passe`, `Xy7k… ist das Passwort`, `Xy7k… is het wachtwoord`. Read
/// backwards from the password word over at most two determiners or adjectives and one linking
/// word; the value must look like a password as the forward reading judges it.
extension PasswordPhrases {
    static let leadingWords: Set<String> = [
        "the", "my", "our", "your", "his", "her", "their", "its", "a", "new", "default", "initial", "current", "temporary", "le",
        "la", "mon", "notre", "votre", "nouveau", "das", "mein", "unser", "ihr", "neue", "het", "de", "mijn", "ons", "onze", "jouw",
        "nieuwe", "el", "mi", "nuestra", "nueva", "o", "a", "minha", "nova",
    ]
    static let linksBefore: Set<String> = ["is", "was", "est", "ist", "war", "es", "é", "è"]

    func value(before word: Range<Int>, _ scanner: TextScanner) -> Range<Int>? {
        let bytes = scanner.bytes
        // `… is the password manager`, `… is the password policy`: about a thing, not the password.
        if word.upperBound + 1 < bytes.count, bytes[word.upperBound] == 0x20 {
            let next = word.upperBound + 1..<scanner.run(from: word.upperBound + 1) { TextScanner.isAlnum($0) || $0 >= 0x80 }
            let following = Self.folded(bytes[next])
            if Self.aboutWords.contains(following) || SecretName.describingWords.contains(following) { return nil }
        }
        var phraseStart = word.lowerBound
        // `… est le mot de passe`: the phrase is the word.
        if word.count == 5, phraseStart >= 7, TextScanner.startsFolded(bytes[(phraseStart - 7)...], with: Self.motDe) { phraseStart -= 7 }
        guard var previous = Self.word(endingBefore: phraseStart, bytes) else { return nil }
        for _ in 0..<2 where Self.leadingWords.contains(Self.folded(bytes[previous])) {
            guard let earlier = Self.word(endingBefore: previous.lowerBound, bytes) else { return nil }
            previous = earlier
        }
        guard Self.linksBefore.contains(Self.folded(bytes[previous])), previous.lowerBound >= 2, bytes[previous.lowerBound - 1] == 0x20
        else {
            return nil
        }
        let end = previous.lowerBound - 1
        var start = end
        while start > 0, bytes[start - 1] > 0x20 { start -= 1 }
        var value = start..<end
        // Quotes around it, a colon or comma after it.
        while !value.isEmpty, [0x22, 0x27, 0x60].contains(bytes[value.lowerBound]) { value = value.lowerBound + 1..<value.upperBound }
        while !value.isEmpty, [0x22, 0x27, 0x60, 0x2C, 0x3A].contains(bytes[value.upperBound - 1]) {
            value = value.lowerBound..<value.upperBound - 1
        }
        return judged(value, scanner)
    }

    /// The letters of the word that ends at the space before `offset`.
    private static func word(endingBefore offset: Int, _ bytes: [UInt8]) -> Range<Int>? {
        guard offset >= 2, bytes[offset - 1] == 0x20 else { return nil }
        var start = offset - 1
        while start > 0, TextScanner.isAlnum(bytes[start - 1]) || bytes[start - 1] >= 0x80, offset - 1 - start < 12 { start -= 1 }
        return start < offset - 1 ? start..<offset - 1 : nil
    }

    private static func folded(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { TextScanner.fold($0, true) }, as: UTF8.self)
    }
}
