import Governance
import TestFixtures
import Testing

@testable import Detection

/// Positive, negative and boundary tables for the detectors. Secret-shaped values are made
/// here from a fixed seed, so no real-looking credential sits in the repository.
@Suite struct DetectorsTests {
    static func types(_ text: String) -> [String] { Detectors.scan(text).map(\.type) }

    @Test func providerTokensAreFoundByPrefixAndShape() {
        let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        let table: [(String, String)] = [
            ("AKIA" + SeededText.random(16, upper), "aws_access_key_id"),
            ("ghp_" + SeededText.random(36), "github_token"),
            ("glpat-" + SeededText.random(20), "gitlab_token"),
            ("xoxb-" + SeededText.random(12, "0123456789") + "-" + SeededText.random(24), "slack_token"),
            (
                "https://hooks.slack.com/services/T" + SeededText.random(8, upper) + "/B" + SeededText.random(8, upper) + "/"
                    + SeededText.random(24),
                "slack_webhook"
            ),
            ("sk_live_" + SeededText.random(24), "stripe_key"),
            ("sk-ant-api03-" + SeededText.random(40), "anthropic_api_key"),
            ("sk-proj-" + SeededText.random(48), "openai_api_key"),
            ("AIza" + SeededText.random(35), "google_api_key"),
        ]
        for (token, type) in table {
            #expect(Self.types("use \(token) here") == [type], "\(type)")
            #expect(Self.types(token) == [type], "\(type) alone")
        }
    }

    @Test func placeholdersAndDocumentedExamplesAreNotFindings() {
        for text in [
            "AKIAIOSFODNN7EXAMPLE", "export OPENAI_API_KEY=YOUR_API_KEY", "token = <your-token-here>",
            "password = ${DB_PASSWORD}", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "sk-proj-REDACTED",
            "mail me at jane@example.com or ops@corp.example", "api_key: changeme",
        ] {
            #expect(Self.types(text).isEmpty, "\(text)")
        }
    }

    @Test func hardNegativesAreNotSecrets() {
        for text in [
            "id 550e8400-e29b-41d4-a716-446655440000", "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "version 1.2.3-beta.4 build 20261128", "AKIA123", "skip the sk- prefix", "ghp_short",
            "password: hunter", "the token count is 1234567890",
        ] {
            #expect(!Detectors.scan(text).contains { $0.category == .secret }, "\(text)")
        }
    }

    @Test func privateKeysJWTsAndPasswordsInURLs() {
        let pem =
            "-----BEGIN OPENSSH PRIVATE KEY-----\n" + SeededText.random(64) + "\n" + SeededText.random(64)
            + "\n-----END OPENSSH PRIVATE KEY-----"
        #expect(Self.types("key:\n" + pem + "\nthanks") == ["private_key"])
        #expect(Self.types("-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----").isEmpty)
        let jwt =
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
            + SeededText.random(43, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        #expect(Self.types("Authorization: Bearer " + jwt) == ["jwt"])
        let url = "postgres://app:" + SeededText.random(16) + "@db.internal:5432/prod"
        let findings = Detectors.scan(url)
        #expect(findings.map(\.type) == ["password_in_url"] && findings[0].start == 15 && findings[0].end == 31)
    }

    @Test func assignmentsAreJudgedByNameAndEntropy() {
        let value = SeededText.random(24) + "9"
        #expect(Self.types("DB_PASSWORD=" + value) == ["password"])
        #expect(Self.types("\"client_secret\": \"" + value + "\"") == ["generic_secret"])
        #expect(Self.types("api_key = '" + value + "'") == ["generic_secret"])
        #expect(Self.types("username = " + value).isEmpty, "the name does not say secret")
        #expect(Self.types("token = aaaaaaaaaaaaaaaa1").isEmpty, "not random enough")
    }

    @Test func personalDataWithChecksums() {
        #expect(Self.types("write to alice.smith+tag@corp-mail.be today") == ["email"])
        #expect(Self.types("card 4539 1488 0343 6467 exp 12/29") == ["payment_card"])
        #expect(Self.types("card 4539-1488-0343-6467") == ["payment_card"])
        #expect(Self.types("card 4539 1488 0343 6468").isEmpty, "Luhn-invalid")
        #expect(Self.types("IBAN BE76 5390 0754 7181, thanks") == ["iban"])
        #expect(Self.types("IBAN NL95RABO0312874561") == ["iban"])
        #expect(Self.types("IBAN BE68 5390 0754 7035").isEmpty, "mod-97-invalid")
        #expect(Self.types("order 0000000000000000").isEmpty)
    }

    @Test func offsetsAreInUnicodeScalars() {
        let text = "Grüße 🚀 an bob@corp.de"
        let finding = Detectors.scan(text)[0]
        let scalars = Array(text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[finding.start..<finding.end])) == "bob@corp.de")
    }
}
