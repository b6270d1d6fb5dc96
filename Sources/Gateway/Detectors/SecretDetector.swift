/// Finds credentials: provider tokens by their documented prefixes and shapes, PEM/OpenSSH
/// private key blocks, JWTs, passwords inside URLs, and `name = value` assignments whose name
/// says secret and whose value looks random. The rule families follow what well-known secret
/// scanners cover. Documented example values and placeholders are not findings. Pure.
struct SecretDetector {
    /// A token that starts with a fixed prefix and continues over a character set.
    struct PrefixRule: Sendable {
        var type: String
        var prefixes: [String]
        var allowed: @Sendable (UInt8) -> Bool
        var length: ClosedRange<Int>
    }

    static let base62: @Sendable (UInt8) -> Bool = { TextScanner.isAlnum($0) }
    static let upperDigits: @Sendable (UInt8) -> Bool = { TextScanner.isUpper($0) || TextScanner.isDigit($0) }
    static let tokenChars: @Sendable (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x5F || $0 == 0x2D }

    static let rules: [PrefixRule] = [
        PrefixRule(
            type: "aws_access_key_id",
            prefixes: ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"],
            allowed: upperDigits,
            length: 16...16
        ),
        PrefixRule(type: "github_token", prefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], allowed: base62, length: 36...36),
        PrefixRule(type: "github_token", prefixes: ["github_pat_"], allowed: { base62($0) || $0 == 0x5F }, length: 70...90),
        PrefixRule(type: "gitlab_token", prefixes: ["glpat-"], allowed: tokenChars, length: 20...40),
        PrefixRule(
            type: "slack_token",
            prefixes: ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-"],
            allowed: tokenChars,
            length: 10...250
        ),
        PrefixRule(
            type: "slack_webhook",
            prefixes: ["https://hooks.slack.com/services/"],
            allowed: { base62($0) || $0 == 0x2F },
            length: 20...120
        ),
        PrefixRule(type: "stripe_key", prefixes: ["sk_live_", "rk_live_", "sk_test_", "rk_test_"], allowed: base62, length: 16...120),
        PrefixRule(type: "anthropic_api_key", prefixes: ["sk-ant-"], allowed: tokenChars, length: 32...200),
        PrefixRule(type: "openai_api_key", prefixes: ["sk-proj-", "sk-svcacct-", "sk-"], allowed: tokenChars, length: 32...200),
        PrefixRule(type: "google_api_key", prefixes: ["AIza"], allowed: tokenChars, length: 35...35),
        PrefixRule(type: "huggingface_token", prefixes: ["hf_"], allowed: base62, length: 30...40),
        PrefixRule(type: "groq_api_key", prefixes: ["gsk_"], allowed: base62, length: 48...60),
        PrefixRule(type: "npm_token", prefixes: ["npm_"], allowed: base62, length: 36...36),
        PrefixRule(type: "pypi_token", prefixes: ["pypi-AgEIcHlwaS5vcmc"], allowed: tokenChars, length: 50...250),
        PrefixRule(type: "sendgrid_api_key", prefixes: ["SG."], allowed: { tokenChars($0) || $0 == 0x2E }, length: 60...70),
        PrefixRule(
            type: "discord_webhook",
            prefixes: ["https://discord.com/api/webhooks/", "https://discordapp.com/api/webhooks/"],
            allowed: { tokenChars($0) || $0 == 0x2F },
            length: 40...140
        ),
        PrefixRule(type: "square_token", prefixes: ["sq0atp-", "sq0csp-", "EAAA"], allowed: tokenChars, length: 22...60),
    ]

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

    /// Documented example values and obvious placeholders: never findings.
    static let placeholders = [
        "EXAMPLE", "YOUR_", "YOUR-", "XXXX", "xxxx", "<", ">", "${", "{{", "CHANGEME", "changeme", "REDACTED", "PLACEHOLDER", "DUMMY",
        "dummy",
    ]

    static let placeholderBytes = placeholders.map { Array($0.utf8) }

    /// Which bytes start a placeholder: most bytes of a value do not, and are passed over at once.
    static let placeholderStarts: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for placeholder in placeholderBytes { table[Int(placeholder[0])] = true }
        return table
    }()

    static func isPlaceholder(_ value: ArraySlice<UInt8>) -> Bool {
        for index in value.indices where placeholderStarts[Int(value[index])] {
            let rest = value[index...]
            if placeholderBytes.contains(where: { $0[0] == value[index] && rest.starts(with: $0) }) { return true }
        }
        return TextScanner.distinctCount(value.dropFirst(4)) <= 2
    }

    func scan(_ scanner: TextScanner) -> [(type: String, range: Range<Int>)] {
        let keys = privateKeyBlocks(scanner).map { (type: "private_key", range: $0) }
        // One pass for every prefix rule: a table by first byte says which prefixes to try.
        let bytes = scanner.bytes
        var tokens: [(type: String, range: Range<Int>)] = []
        for start in scanner.landmarks.prefixStarts where start + 1 < bytes.count {
            // Most words that start with a prefix's first byte do not go on with its second.
            guard Self.prefixPairs.contains(bytes[start], bytes[start + 1]) else { continue }
            let candidates = Self.prefixesByFirstByte[Int(bytes[start])]
            for (ruleIndex, needle) in candidates where start + needle.count <= bytes.count {
                guard bytes[start..<start + needle.count].elementsEqual(needle) else { continue }
                let rule = Self.rules[ruleIndex]
                let end = scanner.run(from: start + needle.count, while: rule.allowed)
                guard rule.length.contains(end - start - needle.count) else { continue }
                if end < bytes.count, TextScanner.isAlnum(bytes[end]) { continue }
                guard !Self.isPlaceholder(bytes[start..<end]) else { continue }
                tokens.append((rule.type, start..<end))
                break
            }
        }
        let families: [[(type: String, range: Range<Int>)]] = [
            keys, tokens, jsonWebTokens(scanner).map { ("jwt", $0) }, passwordsInURLs(scanner).map { ("password_in_url", $0) },
            assignments(scanner),
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

    static let beginMarker = Array("-----BEGIN ".utf8)
    static let endMarker = Array("-----END ".utf8)
    static let jwtStart = Array("eyJ".utf8)

    /// `-----BEGIN … PRIVATE KEY-----` through the matching END line.
    func privateKeyBlocks(_ scanner: TextScanner) -> [Range<Int>] {
        var blocks: [Range<Int>] = []
        let end = Self.endMarker
        for start in scanner.occurrences(of: Self.beginMarker) {
            let header = scanner.run(from: start + 11) { $0 != 0x2D && $0 != 0x0A }
            guard scanner.text(start + 11..<header).hasSuffix("PRIVATE KEY") else { continue }
            guard let close = scanner.occurrences(of: end).first(where: { $0 > header }) else { continue }
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
            guard signature - payload > 16 else { continue }
            tokens.append(start..<signature)
        }
        return tokens
    }

    /// `scheme://user:password@host`: the password part.
    func passwordsInURLs(_ scanner: TextScanner) -> [Range<Int>] {
        var found: [Range<Int>] = []
        let userChars: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D || $0 == 0x25 }
        let bytes = scanner.bytes
        for separator in scanner.landmarks.colons
        where separator + 2 < bytes.count && bytes[separator + 1] == 0x2F && bytes[separator + 2] == 0x2F {
            let userEnd = scanner.run(from: separator + 3, while: userChars)
            guard userEnd > separator + 3, userEnd < scanner.bytes.count, scanner.bytes[userEnd] == 0x3A else { continue }
            let passwordEnd = scanner.run(from: userEnd + 1) { $0 > 0x20 && $0 != 0x40 && $0 != 0x2F && $0 != 0x22 && $0 != 0x27 }
            guard passwordEnd > userEnd + 1, passwordEnd < scanner.bytes.count, scanner.bytes[passwordEnd] == 0x40 else { continue }
            let password = scanner.bytes[userEnd + 1..<passwordEnd]
            guard !Self.isPlaceholder(password), password.count > 4 else { continue }
            found.append(userEnd + 1..<passwordEnd)
        }
        return found
    }

    static let secretNames = [
        "secret", "password", "passwd", "pwd", "token", "api_key", "apikey", "api-key", "access_key", "private_key", "credential", "auth",
    ].map { Array($0.utf8) }
    static let awsSecretName = Array("aws_secret".utf8)
    static let passwordNames = ["password", "passwd", "pwd"].map { Array($0.utf8) }

    /// The first two bytes (lower case) of every secret name.
    static let secretNamePairs = TextScanner.BytePairs(startsOf: secretNames + [awsSecretName])

    /// Whether a secret name could occur in `name`: some two bytes of it (ASCII case folded) start one.
    static func mayNameSecret(_ name: ArraySlice<UInt8>) -> Bool {
        var index = name.startIndex
        while index + 1 < name.endIndex {
            if secretNamePairs.contains(TextScanner.fold(name[index], true), TextScanner.fold(name[index + 1], true)) { return true }
            index += 1
        }
        return false
    }

    /// `NAME = value`, `NAME: value`, `"name": "value"`: the value, when the name says secret
    /// and the value looks random (12+ characters, ≥ 3 bits of entropy per character, mixed).
    func assignments(_ scanner: TextScanner) -> [(type: String, range: Range<Int>)] {
        var found: [(type: String, range: Range<Int>)] = []
        let bytes = scanner.bytes
        let nameChars: (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E }
        var skipTo = 0
        for index in scanner.landmarks.operators where index >= skipTo {
            // The name before the operator (skipping spaces and a closing quote).
            var nameEnd = index
            while nameEnd > 0, bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x22 || bytes[nameEnd - 1] == 0x27 { nameEnd -= 1 }
            var nameStart = nameEnd
            while nameStart > 0, nameChars(bytes[nameStart - 1]) { nameStart -= 1 }
            let name = bytes[nameStart..<nameEnd]
            // Cheapest test first: most names in code, logs and JSON say nothing about secrets.
            guard Self.mayNameSecret(name) else { continue }
            var valueStart = index + 1
            while valueStart < bytes.count, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x22 || bytes[valueStart] == 0x27 {
                valueStart += 1
            }
            let valueEnd = scanner.run(from: valueStart) { $0 > 0x20 && $0 != 0x22 && $0 != 0x27 && $0 != 0x2C && $0 != 0x3B && $0 != 0x7D }
            skipTo = max(index + 1, valueEnd)
            let value = bytes[valueStart..<valueEnd]
            guard value.count >= 12, value.count <= 200 else { continue }
            guard Self.secretNames.contains(where: { TextScanner.contains(name, $0, foldCase: true) }) else { continue }
            guard !Self.isPlaceholder(value), !value.starts(with: Array("http".utf8)), value.first != 0x24 else { continue }
            let hasDigit = value.contains(where: TextScanner.isDigit)
            let hasLetter = value.contains { TextScanner.isAlnum($0) && !TextScanner.isDigit($0) }
            guard hasDigit && hasLetter, TextScanner.entropy(value) >= 3.0 else { continue }
            let isPassword = Self.passwordNames.contains { TextScanner.contains(name, $0, foldCase: true) }
            let isAWS = TextScanner.contains(name, Self.awsSecretName, foldCase: true) && value.count == 40
            found.append((isPassword ? "password" : isAWS ? "aws_secret_access_key" : "generic_secret", valueStart..<valueEnd))
        }
        return found
    }
}
