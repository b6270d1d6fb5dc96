internal import TextViews

/// Credentials whose name is itself a quoted value, as configuration files and scripts write
/// them when the format has no assignment of its own:
/// - XML settings: `<add key="DbPassword" value="…"/>` (.NET), `<property name="password"
///   value="…"/>` (Spring, Ant, Hibernate): the `value` attribute of an element whose `key` or
///   `name` attribute names a credential;
/// - a call that takes a name and a value: `define('DB_PASSWORD', '…')` (PHP, WordPress),
///   `setenv("DB_PASSWORD", "…")`, `config.set("password", "…")`;
/// - PowerShell's `ConvertTo-SecureString "…" -AsPlainText`: the string it is told is plain text.
extension SecretAssignments {
    static let valueAttribute = Array("value".utf8)
    static let namingAttributes = ["key", "name"].map { Array($0.utf8) }

    /// The kind the `key="…"` or `name="…"` attribute of the same element names, when the
    /// operator's name (`nameStart..<nameEnd`) is `value`; nil otherwise.
    static func attributeNameKind(_ bytes: [UInt8], nameStart: Int, nameEnd: Int) -> SecretName.Kind? {
        guard nameEnd - nameStart == valueAttribute.count, TextScanner.startsFolded(bytes[nameStart...], with: valueAttribute) else {
            return nil
        }
        // Back to the element's start, on the same line, at most 160 bytes.
        var cursor = nameStart
        while cursor > 0, nameStart - cursor < 160, bytes[cursor - 1] != 0x3C, bytes[cursor - 1] != 0x3E, bytes[cursor - 1] != 0x0A {
            cursor -= 1
        }
        for attribute in namingAttributes {
            for at in cursor..<nameStart where TextScanner.startsFolded(bytes[at...], with: attribute) {
                let quote = at + attribute.count + 1
                guard at == 0 || bytes[at - 1] == 0x20, quote < nameStart, bytes[quote - 1] == 0x3D,
                    bytes[quote] == 0x22 || bytes[quote] == 0x27
                else { continue }
                let close = quote + 1 + bytes[(quote + 1)..<nameStart].prefix { $0 != bytes[quote] }.count
                guard close < nameStart else { continue }
                return SecretName.kind(of: bytes[(quote + 1)..<close])
            }
        }
        return nil
    }

    /// `define('DB_PASSWORD', '…')`: after a password word that ends a quoted name, a comma and
    /// the quoted value: one token of three kinds of characters, judged as the name's kind says.
    func quotedPairValue(after word: Range<Int>, _ scanner: TextScanner) -> (type: String, range: Range<Int>)? {
        let bytes = scanner.bytes
        let close = word.upperBound
        guard close + 3 < bytes.count, bytes[close] == 0x22 || bytes[close] == 0x27 else { return nil }
        // The name is one quoted token: its opening quote is the same kind, on the same line.
        var open = word.lowerBound
        while open > 0, Self.isNameByte(bytes[open - 1]) { open -= 1 }
        guard open > 0, bytes[open - 1] == bytes[close], let kind = SecretName.kind(of: bytes[open..<close]) else { return nil }
        var cursor = close + 1
        while cursor < bytes.count, bytes[cursor] == 0x20 { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] == 0x2C else { return nil }
        cursor += 1
        while cursor < bytes.count, bytes[cursor] == 0x20 { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] == 0x22 || bytes[cursor] == 0x27, let value = value(at: cursor, scanner) else {
            return nil
        }
        // A label or a translation (`t("password", "Mot de passe")`), or the next name of a list
        // (`"password", "scram-sha-256"`, `'password', 'password_bytes'`): spaces, or not three
        // kinds of characters, or a run of words.
        let text = bytes[value.range]
        guard !text.contains(0x20), RepeatedSecrets.isDistinctive(text) else { return nil }
        return judge(kind, value, scanner, nameStart: open).map { ($0, value.range) }
    }

    static let plainTextFlag = Array("-asplaintext".utf8)

    /// `ConvertTo-SecureString "…" -AsPlainText` (also with `-String`): the quoted string
    /// before the flag on its line, judged as a password.
    func plainTextSecureString(flag dash: Int, _ scanner: TextScanner) -> (type: String, range: Range<Int>)? {
        let bytes = scanner.bytes
        guard TextScanner.startsFolded(bytes[dash...], with: Self.plainTextFlag) else { return nil }
        var close = dash - 1
        while close > 0, bytes[close] == 0x20 { close -= 1 }
        guard close > 0, bytes[close] == 0x22 || bytes[close] == 0x27 else { return nil }
        var open = close - 1
        while open > 0, dash - open < 200, bytes[open] != bytes[close], bytes[open] != 0x0A { open -= 1 }
        guard bytes[open] == bytes[close], open + 1 < close else { return nil }
        let value = Value(range: (open + 1)..<close, quoted: true)
        let password = bytes[value.range]
        guard Self.isPlausiblePassword(password, quoted: true), !Self.isReference(password) else { return nil }
        return ("password", value.range)
    }
}
