/// Values assigned to names that say credential, in the shapes configuration and code take:
/// `.env` and shell (`export DB_PASSWORD=…`), YAML and JSON (`password: …`, `"apiKey": "…"`),
/// INI/TOML/properties (`db.password = …`), connection strings (`Password=…;`,
/// `AccountKey=…;`), code (`password = "…"`, `'token' => '…'`), HTTP headers
/// (`Authorization: Bearer …`, `X-API-Key: …`), command lines (`--password …`,
/// `--api-key=…`; `config set NAME VALUE` in ``SetterCommands``) and labels in prose
/// (`mot de passe : …`, `password for root: …`).
///
/// A password is reported when it is a plausible password (not a placeholder, reference, path
/// or type name); any other credential only when its value also looks random (12+ characters,
/// letters and digits, ≥ 3 bits of entropy per character, not a run of words).
struct SecretAssignments {
    static let dashes = Array("--".utf8)
    static let schemeWords = ["bearer", "basic", "token", "bot", "digest"].map { Array($0.utf8) }
    /// Values that name a type, a state or nothing at all.
    static let trivialValues: Set<String> = [
        "password", "passwd", "secret", "token", "none", "null", "nil", "true", "false", "yes", "no", "string", "str", "text",
        "varchar", "required", "optional", "hidden", "masked", "empty", "undefined", "unknown", "default", "notset", "not_set",
        "secretstr", "securestring", "bytes", "env", "prompt",
    ]
    static let fileExtensions: Set<String> = [
        "json", "pem", "key", "txt", "yaml", "yml", "env", "p12", "pfx", "crt", "cer", "jks", "ini", "cfg", "conf", "xml", "toml",
        "der", "keystore", "gpg", "asc", "properties", "py", "js", "ts", "sh", "md", "log", "csv", "html", "go", "rs", "swift", "java",
    ]

    func scan(_ scanner: TextScanner, gates: SecretGates) -> [(type: String, range: Range<Int>)] {
        var found: [(type: String, range: Range<Int>)] = []
        let bytes = scanner.bytes
        var skipTo = 0
        for index in scanner.landmarks.operators where index >= skipTo {
            guard let (kind, nameStart) = nameBefore(index, scanner, gates: gates) else { continue }
            var valueStart = index + 1
            while valueStart < bytes.count, bytes[valueStart] == 0x3D || bytes[valueStart] == 0x3E { valueStart += 1 }
            guard let value = value(at: valueStart, scanner) else { continue }
            skipTo = value.range.upperBound
            if let type = judge(kind, value, scanner, nameStart: nameStart) { found.append((type, value.range)) }
        }
        found += commandLineFlags(scanner, gates: gates)
        found += ShortPasswordFlags().scan(scanner, gates: gates)
        found += SetterCommands().scan(scanner, assignments: self)
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// The kind of credential the name before the operator at `index` names, and where the name starts.
    private func nameBefore(_ index: Int, _ scanner: TextScanner, gates: SecretGates) -> (SecretName.Kind, Int)? {
        let bytes = scanner.bytes
        var nameEnd = index
        while nameEnd > 0,
            bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x22 || bytes[nameEnd - 1] == 0x27 || bytes[nameEnd - 1] == 0x5D
        {
            nameEnd -= 1
        }
        var nameStart = nameEnd
        while nameStart > 0, Self.isNameByte(bytes[nameStart - 1]) { nameStart -= 1 }
        guard nameStart < nameEnd else { return nil }
        // `"AWS::IAM::AccessKey": …`: the last part of a type's qualified name, not a credential's.
        if nameStart >= 2, bytes[nameStart - 1] == 0x3A, bytes[nameStart - 2] == 0x3A { return nil }
        if let kind = SecretName.kind(of: bytes[nameStart..<nameEnd]) { return (kind, nameStart) }
        // `P/W:`, the abbreviation of password written with a slash.
        if bytes[index] == 0x3A, nameEnd - nameStart == 1, bytes[nameStart] | 0x20 == 0x77, nameStart >= 2, bytes[nameStart - 1] == 0x2F,
            bytes[nameStart - 2] | 0x20 == 0x70, nameStart == 2 || !TextScanner.isAlnum(bytes[nameStart - 3])
        {
            return (.password, nameStart - 2)
        }
        if bytes[index] == 0x3D, let kind = Self.attributeNameKind(bytes, nameStart: nameStart, nameEnd: nameEnd) {
            return (kind, nameStart)
        }
        // `Activation key :`, `License Key:`: a key word after its qualifier, as two words.
        if bytes[index] == 0x3A, let phraseStart = SecretName.qualifiedKeyStart(bytes, nameStart: nameStart, nameEnd: nameEnd) {
            return (.secret, phraseStart)
        }
        // A label in prose before a colon: `mot de passe :`, `password for root:`, `Passwort des Servers:`.
        guard bytes[index] == 0x3A else { return nil }
        let lineStart = max(0, nameStart - 32)
        var phraseStart = nameStart
        while phraseStart > lineStart, bytes[phraseStart - 1] != 0x0A, bytes[phraseStart - 1] != 0x3A, bytes[phraseStart - 1] != 0x3D {
            phraseStart -= 1
        }
        // Only where the gate pass saw a password word: most colons in logs and JSON have none before them.
        guard phraseStart < nameStart, gates.hasPasswordAnchor(in: phraseStart..<nameEnd) else { return nil }
        let phrase = bytes[phraseStart..<nameEnd]
        guard SecretName.mayName(phrase) else { return nil }
        // The phrase must start with the password word: `password for root`, `mot de passe`.
        let words = SecretName.words(phrase)
        guard words.count <= 4, SecretName.kind(of: phrase) == .password else { return nil }
        let trimmed = phrase.drop { !SecretAssignments.isNameByte($0) }
        let lead = words.first == "mot" ? trimmed : trimmed.prefix { SecretAssignments.isNameByte($0) }
        // The lead ends in the password word (`password for root`, `ANY_password,default`), not
        // an identifier that merely holds one (`PassThrough, rest_api`).
        guard SecretName.kind(of: lead) == .password, words.first == "mot" || SecretName.kind(of: lastWord(of: lead)) == .password else {
            return nil
        }
        return (.password, phraseStart)
    }

    /// The last word of a name (`ANY_password` → `password`, `PassThrough` → `Through`).
    private func lastWord(of name: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = name.endIndex
        while start > name.startIndex, TextScanner.isAlnum(name[start - 1]) || name[start - 1] >= 0x80 {
            start -= 1
            if TextScanner.isUpper(name[start]), start > name.startIndex, (0x61...0x7A).contains(name[start - 1]) { break }
        }
        return name[start...]
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        TextScanner.isAlnum(byte) || byte == 0x5F || byte == 0x2D || byte == 0x2E || byte >= 0x80
    }

    struct Value {
        var range: Range<Int>
        /// Opened by a quote (a password in quotes may hold spaces).
        var quoted: Bool
    }

    /// The value starting at `start` (after spaces and an opening quote; after an HTTP
    /// authentication scheme such as `Bearer`).
    func value(at start: Int, _ scanner: TextScanner) -> Value? {
        let bytes = scanner.bytes
        var valueStart = start
        while valueStart < bytes.count, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
        var quote: UInt8?
        if valueStart < bytes.count, bytes[valueStart] == 0x22 || bytes[valueStart] == 0x27 || bytes[valueStart] == 0x60 {
            quote = bytes[valueStart]
            valueStart += 1
        }
        for scheme in Self.schemeWords where TextScanner.startsFolded(bytes[valueStart...], with: scheme) {
            let after = valueStart + scheme.count
            if after + 1 < bytes.count, bytes[after] == 0x20, bytes[after + 1] > 0x20 { valueStart = after + 1 }
        }
        let end: Int
        if let quote {
            // Up to the closing quote on the same line, at most 200 bytes.
            let close = scanner.run(from: valueStart) { $0 != quote && $0 != 0x0A }
            guard close < bytes.count, bytes[close] == quote, close - valueStart <= 200 else { return nil }
            end = close
        } else {
            end = scanner.run(from: valueStart) {
                $0 > 0x20 && $0 != 0x22 && $0 != 0x27 && $0 != 0x2C && $0 != 0x3B && $0 != 0x7D && $0 != 0x26 && $0 != 0x3C
            }
        }
        var valueEnd = end
        // `(password:Xy7k…)`: the closing parenthesis is the text's, not the value's.
        if quote == nil, valueEnd > valueStart, bytes[valueEnd - 1] == 0x29, !bytes[valueStart..<valueEnd].contains(0x28) { valueEnd -= 1 }
        guard valueEnd > valueStart else { return nil }
        return Value(range: valueStart..<valueEnd, quoted: quote != nil)
    }

    /// The finding type for `value` under a name of `kind`, or nil when it is not a credential.
    func judge(_ kind: SecretName.Kind, _ value: Value, _ scanner: TextScanner, nameStart: Int) -> String? {
        let bytes = scanner.bytes[value.range]
        guard bytes.count <= 300 else { return nil }
        // `PassStateEntered = "PassStateEntered"`: an enumeration naming itself.
        let name = scanner.bytes[nameStart..<min(value.range.lowerBound, scanner.bytes.count)].prefix { Self.isNameByte($0) }
        if name.count == bytes.count, TextScanner.startsFolded(name, with: bytes.map { TextScanner.fold($0, true) }) { return nil }
        // An unquoted CamelCase name after a password name is a type (`password: SecretStr`).
        if kind == .password, !value.quoted, Self.isCamelCaseName(bytes), !bytes.contains(where: TextScanner.isDigit) { return nil }
        // The value's shape first (cheap), then whether it is a reference, path or placeholder.
        if kind == .password {
            return Self.isPlausiblePassword(bytes, quoted: value.quoted) && !Self.isReference(bytes) ? "password" : nil
        }
        // An AWS secret access key is 40 characters of base64's alphabet, whatever it spells.
        if kind == .awsSecret, Self.isAWSSecretShape(bytes), !Self.isReference(bytes) { return "aws_secret_access_key" }
        guard Self.looksRandom(bytes) || Self.isGroupedKey(bytes), !Self.isReference(bytes) else { return nil }
        switch kind {
        case .awsSecret where bytes.count == 40: return "aws_secret_access_key"
        case .azureKey where bytes.count >= 40: return "azure_storage_key"
        default: return "generic_secret"
        }
    }

    /// 40 characters of letters, digits, `/` and `+`, with digits and letters of both cases.
    static func isAWSSecretShape(_ value: ArraySlice<UInt8>) -> Bool {
        guard value.count == 40, value.allSatisfy({ TextScanner.isAlnum($0) || $0 == 0x2F || $0 == 0x2B }) else { return false }
        return characterKinds(value) >= 3 && TextScanner.entropy(value) >= 3.5
    }

    /// A product, licence or activation key: four to eight groups of four to six capital
    /// letters and digits joined by dashes (`ZAQWS-XCDER-VBGTR-FRTGU-KLMNX`), of at least eight
    /// different characters and two letters (not `XXXXX-XXXXX-…`, `AAAA-BBBB-CCCC-DDDD` or a
    /// number in groups).
    static func isGroupedKey(_ value: ArraySlice<UInt8>) -> Bool {
        let groups = value.split(separator: 0x2D, omittingEmptySubsequences: false)
        guard (4...8).contains(groups.count),
            groups.allSatisfy({ (4...6).contains($0.count) && $0.allSatisfy { TextScanner.isUpper($0) || TextScanner.isDigit($0) } })
        else { return false }
        return Set(value.filter { $0 != 0x2D }).count >= 8 && Set(groups.map(Array.init)).count == groups.count
            && value.filter(TextScanner.isUpper).count >= 2
    }

    /// Placeholders, templating, variables, environment and code references, paths, URLs,
    /// file names and type names: what configuration writes where a credential is not.
    static func isReference(_ value: ArraySlice<UInt8>) -> Bool {
        guard let first = value.first else { return true }
        if SecretDetector.isPlaceholder(value) { return true }
        // `$VAR`, `${…}`, `$(cmd)`, `%VAR%`, `{…}`, `[…]`, `@Value`, `!vault`, `#comment`, paths.
        if [0x24, 0x25, 0x7B, 0x5B, 0x40, 0x21, 0x23, 0x2F, 0x7E, 0x5C, 0x3A].contains(first) { return true }
        // Markup and documentation roles: `` `peek` ``, ``:py:class:`…` ``.
        if value.contains(0x60) { return true }
        if value.starts(with: [0x2E, 0x2F]) || value.starts(with: [0x2E, 0x2E, 0x2F]) { return true }
        if value.count >= 3, TextScanner.isAlnum(first), value[value.startIndex + 1] == 0x3A, value[value.startIndex + 2] == 0x5C {
            return true
        }
        // Bytes, not strings: this runs for every credential-named value.
        if value.contains(0x28) || value.contains(0x5B) || TextScanner.contains(value, schemeSeparator) { return true }
        // An AWS resource name: `arn:aws:secretsmanager:…:secret:name` names where a secret is kept.
        if TextScanner.startsFolded(value, with: arnPrefix) { return true }
        if value.count <= 12, trivialValues.contains(String(decoding: value.map { TextScanner.fold($0, true) }, as: UTF8.self)) {
            return true
        }
        // A file name: `creds-2024.json`, `server.key`.
        if let dot = value.lastIndex(of: 0x2E), dot > value.startIndex, value.endIndex - dot <= 12,
            fileExtensions.contains(String(decoding: value[(dot + 1)...].map { TextScanner.fold($0, true) }, as: UTF8.self))
        {
            return true
        }
        return isCodeReference(value) || isEnvironmentName(value)
    }

    static let schemeSeparator = Array("://".utf8)
    static let arnPrefix = Array("arn:".utf8)
    /// Words a random key does not spell, but a made-up or described value does.
    static let spelledWords = ["password", "secret", "token", "passwort", "wachtwoord"].map { Array($0.utf8) }

    /// `os.environ`, `process.env.API_KEY`, `settings.SECRET_KEY`, `self.password`,
    /// `ExtensionOID.PRIVATE_KEY_USAGE_PERIOD`: identifiers joined by dots, the first in lower
    /// case, or one of them a constant's or a type's name.
    static func isCodeReference(_ value: ArraySlice<UInt8>) -> Bool {
        let segments = value.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard segments.count >= 2 else { return false }
        let identifiers = segments.allSatisfy { segment in
            guard let head = segment.first, !TextScanner.isDigit(head) else { return false }
            return segment.allSatisfy { TextScanner.isAlnum($0) || $0 == 0x5F }
        }
        guard identifiers, let head = segments.first else { return false }
        if head.allSatisfy({ (0x61...0x7A).contains($0) || $0 == 0x5F }) { return true }
        return segments.contains { segment in
            segment.contains(0x5F) && segment.allSatisfy { TextScanner.isUpper($0) || TextScanner.isDigit($0) || $0 == 0x5F }
                || isCamelCaseName(segment)
        }
    }

    /// `OPENAI_API_KEY`, `DB_PASSWORD_2`: the name of an environment variable, not its value.
    static func isEnvironmentName(_ value: ArraySlice<UInt8>) -> Bool {
        value.contains(0x5F) && value.allSatisfy { TextScanner.isUpper($0) || TextScanner.isDigit($0) || $0 == 0x5F }
            && value.filter(TextScanner.isUpper).count >= value.count / 2
    }

    /// A value a person or a program would use as a password: not a bare identifier (in code
    /// that is a variable), 8 characters or more (the shortest a password policy allows), of
    /// mixed characters or 10 and more.
    static func isPlausiblePassword(_ value: ArraySlice<UInt8>, quoted: Bool) -> Bool {
        guard value.count >= 8, value.count <= 128 else { return false }
        let spaces = value.filter { $0 == 0x20 }.count
        if spaces > 0 && (!quoted || spaces > 5) { return false }
        let hasDigit = value.contains(where: TextScanner.isDigit)
        let hasUpper = value.contains(where: TextScanner.isUpper)
        let hasLower = value.contains { (0x61...0x7A).contains($0) }
        let hasSymbol = value.contains { !TextScanner.isAlnum($0) && $0 != 0x5F && $0 != 0x20 }
        let classes = [hasDigit, hasUpper, hasLower, hasSymbol].filter { $0 }.count
        // A lower-case identifier (`user_input`, `db_pass`) unquoted is a variable in code.
        if !quoted, hasLower, !hasUpper, !hasDigit, value.allSatisfy({ (0x61...0x7A).contains($0) || $0 == 0x5F }) { return false }
        guard classes >= 2 || value.count >= 10 else { return false }
        return TextScanner.entropy(value) >= 2.3
    }

    /// How many kinds of characters `value` holds: lower case, upper case, digits, others.
    static func characterKinds(_ value: ArraySlice<UInt8>) -> Int {
        let kinds = [
            value.contains { (0x61...0x7A).contains($0) }, value.contains(where: TextScanner.isUpper),
            value.contains(where: TextScanner.isDigit),
            value.contains { !TextScanner.isAlnum($0) },
        ]
        return kinds.filter { $0 }.count
    }

    /// Random-looking: 12+ characters, no spaces, letters and digits (or long and mixed case),
    /// ≥ 3 bits of entropy per character, and not a run of words (`prod-db-password-v2`).
    static func looksRandom(_ value: ArraySlice<UInt8>) -> Bool {
        guard value.count >= 12, !value.contains(0x20) else { return false }
        // `realm=intranet`, `a=b&c=d`: settings, not a key (base64 padding ends a key).
        if let equals = value.firstIndex(of: 0x3D), value[equals...].contains(where: { $0 != 0x3D }) { return false }
        let hasDigit = value.contains(where: TextScanner.isDigit)
        let hasUpper = value.contains(where: TextScanner.isUpper)
        let hasLower = value.contains { (0x61...0x7A).contains($0) }
        guard hasDigit && (hasUpper || hasLower) || (value.count >= 20 && hasUpper && hasLower) else { return false }
        guard TextScanner.entropy(value) >= 3.0 else { return false }
        if spelledWords.contains(where: { TextScanner.contains(value, $0, foldCase: true) }) { return false }
        return !isWordRun(value) && !isCamelCaseName(value)
    }

    /// A type or identifier in CamelCase (`PKCS7PrivateKeyTypes`, `Ed25519PrivateKey`): capitalised
    /// words of three letters or more make up at least half its letters. A random key has such
    /// runs only by chance, and short.
    static func isCamelCaseName(_ value: ArraySlice<UInt8>) -> Bool {
        var covered = 0
        var letters = 0
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            guard TextScanner.isAlnum(byte), !TextScanner.isDigit(byte) else {
                index += 1
                continue
            }
            letters += 1
            if TextScanner.isUpper(byte) {
                var end = index + 1
                while end < value.endIndex, (0x61...0x7A).contains(value[end]) { end += 1 }
                if end - index >= 3 {
                    covered += end - index
                    letters += end - index - 1
                    index = end
                    continue
                }
            }
            index += 1
        }
        return letters > 0 && covered * 2 >= letters && covered >= 6
    }

    /// Whether every part between `-`, `_`, `.`, `:`, `/` is a word (letters in one case, or
    /// capitalised, then at most four digits), a number of at most four digits, or at most three
    /// characters: identifiers, dates and version strings, not keys.
    static func isWordRun(_ value: ArraySlice<UInt8>) -> Bool {
        var partStart = value.startIndex
        while partStart < value.endIndex {
            var partEnd = partStart
            while partEnd < value.endIndex, !isPartSeparator(value[partEnd]) { partEnd += 1 }
            if partEnd > partStart, !isWordLike(value[partStart..<partEnd]) { return false }
            partStart = partEnd + 1
        }
        return true
    }

    private static func isPartSeparator(_ byte: UInt8) -> Bool {
        byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A || byte == 0x2F
    }

    private static func isWordLike(_ part: ArraySlice<UInt8>) -> Bool {
        if part.count <= 3 || part.count <= 4 && part.allSatisfy(TextScanner.isDigit) { return true }
        var letterEnd = part.startIndex
        while letterEnd < part.endIndex, !TextScanner.isDigit(part[letterEnd]) { letterEnd += 1 }
        let letters = part[part.startIndex..<letterEnd]
        let digits = part[letterEnd...]
        guard letters.count >= 2, digits.count <= 4, digits.allSatisfy(TextScanner.isDigit) else { return false }
        let lowerTail = letters.dropFirst().allSatisfy { (0x61...0x7A).contains($0) }
        return lowerTail || letters.allSatisfy(TextScanner.isUpper)
    }

    static let userFlags = ["-u", "--user"].map { Array($0.utf8) }

    /// `--password VALUE`, `-Password 'VALUE'`, `--api-key VALUE` (the `=` forms are
    /// assignments), and the password of `curl -u user:password`.
    func commandLineFlags(_ scanner: TextScanner, gates: SecretGates) -> [(type: String, range: Range<Int>)] {
        let bytes = scanner.bytes
        var found: [(type: String, range: Range<Int>)] = []
        var done = 0
        // A flag follows a space (`mysql --password …`, `-Password '…'`); dashes inside words,
        // numbers and UUIDs are not read at all.
        for dash in gates.flagDashes(bytes) where dash >= done {
            let nameStart = dash + 1 < bytes.count && bytes[dash + 1] == 0x2D ? dash + 2 : dash + 1
            let nameEnd = scanner.run(from: nameStart) { TextScanner.isAlnum($0) || $0 == 0x2D || $0 == 0x5F }
            done = nameEnd
            if let plainText = plainTextSecureString(flag: dash, scanner) {
                found.append(plainText)
                continue
            }
            guard nameEnd > nameStart, nameEnd + 1 < bytes.count, bytes[nameEnd] == 0x20 else { continue }
            let flag = bytes[dash..<nameEnd]
            if Self.userFlags.contains(where: { flag.elementsEqual($0) }), let value = value(at: nameEnd + 1, scanner) {
                // `user:password`: the part after the first colon.
                if let colon = bytes[value.range].firstIndex(of: 0x3A), colon + 1 < value.range.upperBound {
                    let password = colon + 1..<value.range.upperBound
                    if !Self.isReference(bytes[password]), bytes[password].count >= 6 { found.append(("password", password)) }
                }
                continue
            }
            guard let kind = SecretName.kind(of: bytes[nameStart..<nameEnd]), let value = value(at: nameEnd + 1, scanner) else { continue }
            if bytes[value.range.lowerBound] == 0x2D { continue }
            if let type = judge(kind, value, scanner, nameStart: dash) { found.append((type, value.range)) }
        }
        return found
    }
}
