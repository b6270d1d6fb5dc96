/// What the name on the left of an assignment says about its value: a password, some other
/// credential, or nothing. Names are read as words, whatever way they are written
/// (`DB_PASSWORD`, `dbPassword`, `db.password`, `--db-password`, `X-API-Key`, `AccountKey`,
/// `mot_de_passe`, `Passwort`), so `author`, `tokenizer`, `max_tokens` or `bypass` say nothing,
/// and a name whose last word says what kind of thing the value is (`password_policy`,
/// `token_url`, `secret_name`, `api_key_id`, `tokenizer_path`) is not a credential either.
/// English, French, German and Dutch words.
enum SecretName {
    enum Kind: Equatable {
        case password
        case secret
        /// Cloud account keys (AWS secret access key, Azure storage account / shared access key).
        case awsSecret, azureKey
    }

    /// Words that name a password, compared whole or as the end of a word (`dbpassword`).
    /// With the misspellings people type in chat and tickets (`pasword`, `passowrd`), and the
    /// words of the other languages European offices write in (`contraseña`, `senha`,
    /// `lösenord`, `passord`, `salasana`, `hasło`, `heslo`).
    static let passwordSuffixes = [
        "password", "passwd", "passwort", "wachtwoord", "kennwort", "passphrase", "motdepasse", "passcode", "pasword", "passowrd",
        "passwrod", "paasword", "contraseña", "contrasena", "senha", "lösenord", "losenord", "passord", "adgangskode", "salasana",
        "hasło", "haslo", "heslo",
    ]
    static let passwordWords = ["pwd", "pass", "pw", "pswd", "mdp", "pword", "passwords"]
    /// Words that name another credential, compared whole or as the end of a word (`authtoken`).
    static let secretSuffixes = [
        "secret", "token", "apikey", "accesskey", "secretkey", "privatekey", "accountkey", "credential", "credentials", "signingkey",
        "secrete", "secrète", "geheim",
    ]
    static let secretWords = ["auth", "creds", "sas", "authorization", "bearer", "jeton"]
    /// `key` (and its translations) names a secret only after one of these words.
    static let keyWords = ["key", "cle", "clé", "sleutel", "schlüssel", "schluessel"]
    static let keyQualifiers = [
        "api", "app", "access", "secret", "private", "client", "account", "auth", "master", "signing", "encryption", "shared", "service",
        "storage", "subscription", "consumer", "webhook", "license", "licence", "hmac", "jwt", "session", "admin", "root", "deploy",
        "ssh", "aes", "cipher", "crypt", "privee", "privée", "geheime", "geheimer", "secrete", "secrète", "primary", "secondary",
        "activation", "product", "registration", "serial",
    ]
    /// A last word that says the value is something other than the credential itself.
    static let describingWords: Set<String> = [
        "name", "names", "type", "types", "kind", "path", "file", "filename", "files", "dir", "directory", "url", "uri", "urls",
        "endpoint", "id", "ids", "length", "len", "ttl", "expiry", "expires", "expiration", "expire", "in", "at", "count", "policy",
        "field", "fields", "label", "prompt", "format", "header", "param", "params", "env", "var", "variable", "version", "limit",
        "limits", "timeout", "size", "min", "max", "enabled", "enable", "disabled", "required", "mode", "method", "methods", "provider",
        "providers", "strategy", "scope", "scopes", "host", "port", "user", "username", "login", "email", "location", "hint", "reset",
        "rotation", "age", "algorithm", "alg", "cache", "manager", "store", "prefix", "suffix", "rate", "index", "ref", "refs",
        "source", "mount", "hash", "hashed", "digest", "checksum", "schema", "class", "usage", "budget", "counter", "used", "regex",
        "pattern", "validator", "generator", "placeholder", "description", "desc", "help", "text", "title", "message", "msg", "error",
        "errors", "status", "valid", "invalid", "visible", "strength", "complexity", "level", "option", "options", "flag", "config",
        "settings", "request", "response", "page", "service", "server", "backend", "handler", "client", "input", "dialog", "form",
        "button", "link", "icon", "template", "key", "keys", "lifetime", "duration", "interval", "window", "bucket", "mask",
    ]
    /// A word before `token` that makes it a pagination cursor, a tokenizer's special token or a count.
    static let tokenQualifiers: Set<String> = [
        "page", "next", "continuation", "sync", "cancellation", "cancel", "eos", "bos", "pad", "unk", "sep", "cls", "mask", "start",
        "end", "stop", "special", "max", "min", "num", "total", "input", "output", "completion", "prompt", "cached", "reasoning",
        "csrf", "xsrf", "resume", "cursor", "id", "client", "idempotency", "action", "request", "upload", "change", "paging",
        "pagination", "marker", "sync", "lifecycle",
    ]

    static let passwordSuffixBytes = passwordSuffixes.map { Array($0.utf8) }
    static let secretSuffixBytes = secretSuffixes.map { Array($0.utf8) }

    /// Stems one of the words above holds (lower case): a name without one names no credential,
    /// and most names in code, logs and JSON are turned away by this check alone, without
    /// splitting them into words.
    static let stems = [
        "pass", "pasw", "paas", "pw", "secret", "token", "key", "auth", "cred", "sas", "bearer", "jeton", "geheim", "wacht", "kennw",
        "contras", "senha", "lösen", "losen", "adgang", "salasana", "hasł", "hasl", "hesl",
        "mdp", "cle", "clé", "sleutel", "schl",
    ].map { Array($0.utf8) }

    /// The first two bytes (lower case) of every stem: one bitmap lookup turns most positions away.
    static let stemPairs = TextScanner.BytePairs(startsOf: stems)

    /// Whether some word above could occur in `name`: it holds one of the stems (ASCII case folded).
    static func mayName(_ name: ArraySlice<UInt8>) -> Bool {
        var index = name.startIndex
        while index + 1 < name.endIndex {
            if stemPairs.contains(TextScanner.fold(name[index], true), TextScanner.fold(name[index + 1], true)) {
                let rest = name[index...]
                if stems.contains(where: { TextScanner.startsFolded(rest, with: $0) }) { return true }
            }
            index += 1
        }
        return false
    }

    /// The words of a name, lower-cased: split at anything but letters and digits, and where a
    /// lower-case letter or digit is followed by a capital (`dbPassword`, `APIKey` → api, key).
    static func words(_ name: ArraySlice<UInt8>) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        let bytes = Array(name)
        for (index, byte) in bytes.enumerated() {
            let isLetter = TextScanner.isAlnum(byte) || byte >= 0x80
            guard isLetter else {
                if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
                current = []
                continue
            }
            if TextScanner.isUpper(byte), !current.isEmpty {
                let last = bytes[index - 1]
                let lowerBefore = !TextScanner.isUpper(last)
                let acronymEnd = index + 1 < bytes.count && TextScanner.isUpper(last) && (0x61...0x7A).contains(bytes[index + 1])
                if lowerBefore || acronymEnd {
                    words.append(String(decoding: current, as: UTF8.self))
                    current = []
                }
            }
            current.append(TextScanner.fold(byte, true))
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }

    /// Where `Activation key`, `License Key`, `API key` starts when the name before a colon
    /// (`nameStart..<nameEnd`) is a bare key word and the word before it, one space away, a
    /// qualifier (``keyQualifiers``); nil otherwise.
    static func qualifiedKeyStart(_ bytes: [UInt8], nameStart: Int, nameEnd: Int) -> Int? {
        guard nameStart >= 2, bytes[nameStart - 1] == 0x20, nameEnd - nameStart <= 10,
            keyWords.contains(String(decoding: bytes[nameStart..<nameEnd].map { TextScanner.fold($0, true) }, as: UTF8.self))
        else { return nil }
        var start = nameStart - 1
        while start > 0, nameStart - start <= 14, TextScanner.isAlnum(bytes[start - 1]) || bytes[start - 1] >= 0x80 { start -= 1 }
        let qualifier = String(decoding: bytes[start..<(nameStart - 1)].map { TextScanner.fold($0, true) }, as: UTF8.self)
        return keyQualifiers.contains(qualifier) ? start : nil
    }

    /// What `name` says its value is, or nil when it names no credential.
    static func kind(of name: ArraySlice<UInt8>) -> Kind? {
        guard mayName(name) else { return nil }
        let words = words(name)
        guard let last = words.last, !describingWords.contains(last) || (words.count >= 2 && isKey(words, at: words.count - 1)) else {
            return nil
        }
        var kind: Kind?
        for index in words.indices {
            if isPassword(words, at: index) { return .password }
            if kind == nil, isSecret(words, at: index) || isKey(words, at: index) { kind = .secret }
        }
        guard kind != nil else { return nil }
        if words.contains("aws") && words.contains("secret") { return .awsSecret }
        if words.contains("account") || (words.contains("shared") && words.contains("access")) || words.contains("accountkey") {
            return .azureKey
        }
        return .secret
    }

    private static func isPassword(_ words: [String], at index: Int) -> Bool {
        let word = words[index]
        if passwordWords.contains(word) { return true }
        if word == "passe" { return index > 0 && words[index - 1] == "de" }
        let bytes = Array(word.utf8)
        return passwordSuffixBytes.contains { bytes.count >= $0.count && bytes.suffix($0.count).elementsEqual($0) }
    }

    private static func isSecret(_ words: [String], at index: Int) -> Bool {
        let word = words[index]
        if secretWords.contains(word) { return true }
        let bytes = Array(word.utf8)
        guard secretSuffixBytes.contains(where: { bytes.count >= $0.count && bytes.suffix($0.count).elementsEqual($0) }) else {
            return false
        }
        // `next_page_token`, `eos_token`, `max_token`: not credentials.
        if word == "token", index > 0, tokenQualifiers.contains(words[index - 1]) { return false }
        return true
    }

    private static func isKey(_ words: [String], at index: Int) -> Bool {
        guard keyWords.contains(words[index]) else { return false }
        let before = index > 0 ? words[index - 1] : nil
        let after = index + 1 < words.count ? words[index + 1] : nil
        // English puts the qualifier first (`api_key`), French and Dutch often after (`cle_api`).
        return before.map(keyQualifiers.contains) == true || (words[index] != "key" && after.map(keyQualifiers.contains) == true)
    }
}
