/// All detectors over one text, most specific first: secrets (a token inside a URL or an
/// assignment is reported once, as the most specific thing it is), the policy's exfiltration
/// destinations and patterns, then personal data outside what was already found. Offsets are
/// in Unicode scalars. Pure and I/O-free; built once per policy.
package struct Detectors: Sendable {
    let exfiltration: ExfiltrationDetector
    let custom: CustomPatternDetector

    package init(exfiltration rules: ExfiltrationRules) {
        exfiltration = ExfiltrationDetector(rules)
        custom = CustomPatternDetector(rules.patterns)
    }

    /// The detectors of the built-in default policy.
    package static let standard = Detectors(exfiltration: DefaultPolicy.policy.exfiltration)

    package static func scan(_ text: String) -> [Finding] {
        standard.scan(text)
    }

    package func scan(_ text: String) -> [Finding] {
        let scanner = TextScanner(text)
        var byteFindings: [(type: String, category: Finding.Category, range: Range<Int>)] = []
        var taken = TextScanner.Coverage()
        func add(_ found: [(type: String, range: Range<Int>)], _ category: Finding.Category) {
            let sorted = found.sorted { $0.range.lowerBound < $1.range.lowerBound }
            for item in taken.takeFree(sorted, range: \.range) {
                byteFindings.append((item.type, category, item.range))
            }
        }
        add(SecretDetector().scan(scanner), .secret)
        if !exfiltration.isEmpty { add(exfiltration.scan(scanner), .exfil) }
        if !custom.isEmpty { add(custom.scan(text), .exfil) }
        let tokens = scanner.numberTokens()
        let capitals = scanner.landmarks.capitals
        // Strongest evidence first: e-mail and IBANs (mod 97 over the whole account, letters
        // included), then national identifiers and phones, then cards (a NIR can pass the Luhn
        // test by chance; a card hardly ever the NIR key).
        let personal = PersonalDataDetector()
        add(personal.emails(scanner).map { ("email", $0) } + personal.ibans(scanner, capitals: capitals).map { ("iban", $0) }, .pii)
        add(IdentifierDetector().scan(scanner, tokens: tokens, capitals: capitals), .pii)
        add(personal.cards(tokens).map { ("payment_card", $0) }, .pii)
        add(DateOfBirthDetector().scan(scanner, tokens: tokens), .pii)
        add(NetworkAddressDetector().scan(scanner, tokens: tokens), .pii)
        guard !byteFindings.isEmpty else { return [] }
        byteFindings.sort { $0.range.lowerBound < $1.range.lowerBound }
        let offsets = scanner.scalarOffsets(byteFindings.flatMap { [$0.range.lowerBound, $0.range.upperBound] })
        return byteFindings.enumerated().map { index, found in
            Finding(
                type: found.type,
                category: found.category,
                start: offsets[2 * index],
                end: offsets[2 * index + 1],
                utf8Range: found.range
            )
        }
    }
}
