/// The provider token formats the secret detector knows by prefix and shape, and what makes a
/// prefixed value a documented example or a placeholder rather than a credential. The rule set
/// follows the provider rules of well-known secret scanners (gitleaks' default set, TruffleHog)
/// for the services this appliance's users call: cloud, source hosting, chat, payments, e-mail,
/// observability, package registries, model hubs.
extension SecretDetector {
    /// A token that starts with a fixed prefix and continues over a character set.
    struct PrefixRule: Sendable {
        var type: String
        var prefixes: [String]
        var allowed: @Sendable (UInt8) -> Bool
        var length: ClosedRange<Int>
        /// Whether a body made of words (`xoxb-your-bot-token`, `sk-proj-abc-def`) is refused:
        /// random bodies are not words.
        var refusesWords = true
    }

    static let base62: @Sendable (UInt8) -> Bool = { TextScanner.isAlnum($0) }
    static let upperDigits: @Sendable (UInt8) -> Bool = { TextScanner.isUpper($0) || TextScanner.isDigit($0) }
    static let tokenChars: @Sendable (UInt8) -> Bool = { TextScanner.isAlnum($0) || $0 == 0x5F || $0 == 0x2D }
    static let hexChars: @Sendable (UInt8) -> Bool = { TextScanner.isDigit($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) }
    static let lowerHex: @Sendable (UInt8) -> Bool = { TextScanner.isDigit($0) || (0x61...0x66).contains($0) }
    static let dotted: @Sendable (UInt8) -> Bool = { tokenChars($0) || $0 == 0x2E || $0 == 0x3D }
    static let base64Chars: @Sendable (UInt8) -> Bool = { base62($0) || $0 == 0x2B || $0 == 0x2F || $0 == 0x3D }

    static let rules: [PrefixRule] = [
        PrefixRule(
            type: "aws_access_key_id",
            // Access keys only: AIDA/AROA/ANPA/AIPA… are the unique ids of users, roles,
            // policies and profiles, printed in every IAM listing, not credentials.
            prefixes: ["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
            allowed: upperDigits,
            length: 16...17
        ),
        PrefixRule(type: "github_token", prefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], allowed: base62, length: 36...36),
        PrefixRule(type: "github_token", prefixes: ["github_pat_"], allowed: { base62($0) || $0 == 0x5F }, length: 70...90),
        PrefixRule(type: "gitlab_token", prefixes: ["glpat-", "gldt-", "glrt-", "glptt-", "glcbt-"], allowed: tokenChars, length: 20...64),
        PrefixRule(
            type: "slack_token",
            prefixes: ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xoxe.xoxp-", "xapp-"],
            allowed: tokenChars,
            length: 10...250
        ),
        PrefixRule(
            type: "slack_webhook",
            prefixes: ["https://hooks.slack.com/services/", "https://hooks.slack.com/workflows/"],
            allowed: { base62($0) || $0 == 0x2F },
            length: 20...120
        ),
        PrefixRule(type: "stripe_key", prefixes: ["sk_live_", "rk_live_", "sk_test_", "rk_test_"], allowed: base62, length: 16...120),
        PrefixRule(type: "anthropic_api_key", prefixes: ["sk-ant-"], allowed: tokenChars, length: 32...200),
        PrefixRule(
            type: "openai_api_key",
            prefixes: ["sk-proj-", "sk-svcacct-", "sk-admin-", "sk-"],
            allowed: tokenChars,
            length: 32...200
        ),
        PrefixRule(type: "google_api_key", prefixes: ["AIza"], allowed: tokenChars, length: 35...35),
        PrefixRule(type: "google_oauth_secret", prefixes: ["GOCSPX-"], allowed: tokenChars, length: 28...28, refusesWords: false),
        PrefixRule(type: "google_oauth_token", prefixes: ["ya29."], allowed: tokenChars, length: 30...400),
        PrefixRule(type: "huggingface_token", prefixes: ["hf_"], allowed: base62, length: 30...40),
        PrefixRule(type: "groq_api_key", prefixes: ["gsk_"], allowed: base62, length: 48...60),
        PrefixRule(type: "xai_api_key", prefixes: ["xai-"], allowed: base62, length: 70...90),
        PrefixRule(type: "npm_token", prefixes: ["npm_"], allowed: base62, length: 36...36),
        PrefixRule(type: "pypi_token", prefixes: ["pypi-AgEIcHlwaS5vcmc"], allowed: tokenChars, length: 50...250),
        PrefixRule(type: "rubygems_token", prefixes: ["rubygems_"], allowed: lowerHex, length: 48...48),
        PrefixRule(
            type: "nuget_api_key",
            prefixes: ["oy2"],
            allowed: { TextScanner.isDigit($0) || (0x61...0x7A).contains($0) },
            length: 43...43
        ),
        PrefixRule(type: "docker_hub_token", prefixes: ["dckr_pat_", "dckr_oat_"], allowed: tokenChars, length: 27...40),
        PrefixRule(
            type: "docker_swarm_token",
            prefixes: ["SWMTKN-1-", "SWMKEY-1-"],
            allowed: { tokenChars($0) || $0 == 0x2B || $0 == 0x2F },
            length: 43...90
        ),
        PrefixRule(type: "sendgrid_api_key", prefixes: ["SG."], allowed: { tokenChars($0) || $0 == 0x2E }, length: 60...70),
        PrefixRule(type: "mailgun_api_key", prefixes: ["key-"], allowed: base62, length: 32...32),
        PrefixRule(type: "twilio_api_key", prefixes: ["SK"], allowed: lowerHex, length: 32...32),
        PrefixRule(type: "twilio_account_sid", prefixes: ["AC"], allowed: lowerHex, length: 32...32),
        PrefixRule(type: "shopify_token", prefixes: ["shpat_", "shpca_", "shppa_", "shpss_"], allowed: hexChars, length: 32...32),
        PrefixRule(type: "databricks_token", prefixes: ["dapi"], allowed: lowerHex, length: 32...32),
        PrefixRule(type: "digitalocean_token", prefixes: ["dop_v1_", "doo_v1_", "dor_v1_"], allowed: lowerHex, length: 64...64),
        PrefixRule(type: "postman_api_key", prefixes: ["PMAK-"], allowed: { lowerHex($0) || $0 == 0x2D }, length: 59...59),
        PrefixRule(type: "heroku_api_key", prefixes: ["HRKU-"], allowed: tokenChars, length: 40...80),
        PrefixRule(
            type: "atlassian_api_token",
            prefixes: ["ATATT3", "ATCTT3"],
            allowed: { tokenChars($0) || $0 == 0x3D },
            length: 60...250
        ),
        PrefixRule(type: "newrelic_api_key", prefixes: ["NRAK-", "NRII-", "NRJS-"], allowed: upperDigits, length: 27...32),
        PrefixRule(type: "grafana_token", prefixes: ["glsa_", "glc_"], allowed: tokenChars, length: 32...400),
        PrefixRule(type: "sentry_token", prefixes: ["sntrys_", "sntryu_"], allowed: { tokenChars($0) || $0 == 0x3D }, length: 40...400),
        PrefixRule(type: "doppler_token", prefixes: ["dp.pt.", "dp.st."], allowed: base62, length: 40...44),
        PrefixRule(type: "linear_api_key", prefixes: ["lin_api_"], allowed: base62, length: 40...40),
        PrefixRule(type: "age_secret_key", prefixes: ["AGE-SECRET-KEY-1"], allowed: upperDigits, length: 58...58),
        PrefixRule(
            type: "discord_webhook",
            prefixes: ["https://discord.com/api/webhooks/", "https://discordapp.com/api/webhooks/"],
            allowed: { tokenChars($0) || $0 == 0x2F },
            length: 40...140
        ),
        PrefixRule(type: "square_token", prefixes: ["sq0atp-", "sq0csp-", "EAAA"], allowed: tokenChars, length: 22...60),
        // Infrastructure, deployment and data services. Only prefixes whose first byte the
        // landmark pass already marks (or a capital): it marks at most 12 lower-case bytes.
        PrefixRule(type: "vault_token", prefixes: ["hvs.", "hvb."], allowed: tokenChars, length: 24...300),
        PrefixRule(type: "pulumi_token", prefixes: ["pul-"], allowed: lowerHex, length: 40...40),
        PrefixRule(type: "planetscale_token", prefixes: ["pscale_tkn_", "pscale_oauth_", "pscale_pw_"], allowed: dotted, length: 32...64),
        PrefixRule(type: "onepassword_token", prefixes: ["ops_eyJ"], allowed: base64Chars, length: 250...4000),
        PrefixRule(type: "dynatrace_token", prefixes: ["dt0c01."], allowed: { base62($0) || $0 == 0x2E }, length: 89...89),
        PrefixRule(type: "brevo_api_key", prefixes: ["xkeysib-"], allowed: { base62($0) || $0 == 0x2D }, length: 81...81),
        PrefixRule(type: "artifactory_api_key", prefixes: ["AKCp"], allowed: base62, length: 69...69),
        PrefixRule(type: "alibaba_access_key_id", prefixes: ["LTAI"], allowed: base62, length: 20...20),
        PrefixRule(type: "openshift_token", prefixes: ["sha256~"], allowed: tokenChars, length: 43...43),
        PrefixRule(type: "perplexity_api_key", prefixes: ["pplx-"], allowed: base62, length: 48...48),
        PrefixRule(type: "prefect_api_key", prefixes: ["pnu_"], allowed: base62, length: 36...36),
        PrefixRule(type: "notion_token", prefixes: ["ntn_"], allowed: base62, length: 46...46),
        PrefixRule(type: "readme_api_key", prefixes: ["rdme_"], allowed: base62, length: 70...70),
        PrefixRule(type: "adobe_client_secret", prefixes: ["p8e-"], allowed: base62, length: 32...32),
        PrefixRule(type: "easypost_api_key", prefixes: ["EZAK", "EZTK"], allowed: base62, length: 54...54),
        PrefixRule(type: "shippo_token", prefixes: ["shippo_live_", "shippo_test_"], allowed: hexChars, length: 40...40),
        PrefixRule(
            type: "duffel_token",
            prefixes: ["duffel_live_", "duffel_test_"],
            allowed: { tokenChars($0) || $0 == 0x3D },
            length: 43...43
        ),
        PrefixRule(type: "clojars_token", prefixes: ["CLOJARS_"], allowed: base62, length: 60...60),
    ]

    /// The first bytes of the prefixes that do not start with a capital letter: the landmark
    /// pass marks word starts beginning with one of these. Prefixes that start with a capital
    /// are tried at the capitalised word starts, which the pass marks anyway.
    static let landmarkPrefixBytes: [UInt8] = Array(
        Set(rules.flatMap { $0.prefixes.map { $0.utf8.first! } }.filter { !TextScanner.isUpper($0) })
    ).sorted()

    /// Values published in providers' documentation and tutorials: never findings.
    static let documentedExamples: Set<String> = [
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_BQokikJOvBiI2HlWgH4olfQ2", "sk_test_26PHem9AhJZvU623DfE1x4sd",
        "rk_test_4eC39HqLyjWDarjtT1zdp7dc",
        // jwt.io's default token and GitHub's documented token.
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJp-QV30",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    ]

    /// Words that mark a value as a placeholder when written into it (case-insensitively):
    /// four letters or more, so a random value holds one only by a very rare chance.
    static let placeholderWords = [
        "example", "your", "here", "placeholder", "changeme", "change_me", "replace", "insert", "dummy", "redacted", "sample",
        "fake", "mock",
    ].map { Array($0.utf8) }

    /// Placeholder forms that are not words, matched as written: templating and angle-bracket
    /// slots, masks (`xxxx` in one case: random text mixes cases).
    static let placeholderMarks = ["<", ">", "${", "{{", "%(", "xxxx", "XXXX", "****", "...."].map { Array($0.utf8) }

    /// Which bytes (lower-cased) start a placeholder word or mark: most bytes of a value do not.
    static let placeholderStarts: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for word in placeholderWords + placeholderMarks { table[Int(TextScanner.fold(word[0], true))] = true }
        return table
    }()

    /// A documented example, a placeholder, or a value of one or two distinct characters after its first four.
    static func isPlaceholder(_ value: ArraySlice<UInt8>) -> Bool {
        for index in value.indices where placeholderStarts[Int(TextScanner.fold(value[index], true))] {
            let rest = value[index...]
            if placeholderWords.contains(where: { rest.count >= $0.count && TextScanner.startsFolded(rest, with: $0) }) { return true }
            if placeholderMarks.contains(where: { rest.starts(with: $0) }) { return true }
        }
        if TextScanner.distinctCount(value.dropFirst(4)) <= 2 { return true }
        return value.count >= 30 && value.count <= 250 && documentedExamples.contains(String(decoding: value, as: UTF8.self))
    }
}
