import Governance
import TestFixtures
import Testing

@testable import Detection

/// The shapes credentials and personal data take in configuration, code, logs, tables and
/// prose in English, French, German and Dutch, and the look-alikes that are not them. Secret
/// values are made here from a fixed seed, so no real-looking credential sits in the repository.
@Suite struct DetectionCoverageTests {
    static func random(
        _ count: Int,
        _ alphabet: String = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        seed: UInt64 = 7
    )
        -> String
    {
        SeededText.random(count, alphabet, seed: seed)
    }

    static func categories(_ text: String) -> Set<Finding.Category> { Set(Detectors.scan(text).map(\.category)) }
    static func types(_ text: String) -> [String] { Detectors.scan(text).map(\.type) }

    @Test func providerTokensBeyondTheModelHubs() {
        let hex = "0123456789abcdef"
        let table: [(String, String)] = [
            ("SK" + Self.random(32, hex), "twilio_api_key"),
            ("AC" + Self.random(32, hex), "twilio_account_sid"),
            ("shpat_" + Self.random(32, hex), "shopify_token"),
            ("dapi" + Self.random(32, hex), "databricks_token"),
            ("dop_v1_" + Self.random(64, hex), "digitalocean_token"),
            ("PMAK-" + Self.random(24, hex) + "-" + Self.random(34, hex), "postman_api_key"),
            ("ATATT3" + Self.random(186, Self.alphabet + "_-"), "atlassian_api_token"),
            ("key-" + Self.random(32), "mailgun_api_key"),
            ("glsa_" + Self.random(32) + "_" + Self.random(8, hex), "grafana_token"),
            ("dckr_pat_" + Self.random(27), "docker_hub_token"),
            ("GOCSPX-" + Self.random(28), "google_oauth_secret"),
            ("rubygems_" + Self.random(48, hex), "rubygems_token"),
            ("lin_api_" + Self.random(40), "linear_api_key"),
            ("glpat-" + Self.random(20, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), "gitlab_token"),
        ]
        for (token, type) in table {
            #expect(Self.types("here: \(token) thanks") == [type], "\(type)")
        }
        let infrastructure: [(String, String)] = [
            ("hvs." + Self.random(95, Self.alphabet + "_-"), "vault_token"), ("hvs." + Self.random(24), "vault_token"),
            ("pul-" + Self.random(40, hex), "pulumi_token"), ("pscale_tkn_" + Self.random(43), "planetscale_token"),
            ("ops_eyJ" + Self.random(300, Self.alphabet + "+/"), "onepassword_token"),
            ("dt0c01." + Self.random(24, Self.alphabet) + "." + Self.random(64, Self.alphabet), "dynatrace_token"),
            ("xkeysib-" + Self.random(64, hex) + "-" + Self.random(16), "brevo_api_key"),
            ("AKCp" + Self.random(69), "artifactory_api_key"), ("LTAI" + Self.random(20), "alibaba_access_key_id"),
            ("sha256~" + Self.random(43, Self.alphabet + "_-"), "openshift_token"), ("pplx-" + Self.random(48), "perplexity_api_key"),
            ("pnu_" + Self.random(36), "prefect_api_key"), ("ntn_" + Self.random(46), "notion_token"),
            ("rdme_" + Self.random(70, "abcdefghijklmnopqrstuvwxyz0123456789"), "readme_api_key"),
            ("p8e-" + Self.random(32), "adobe_client_secret"), ("EZAK" + Self.random(54), "easypost_api_key"),
            ("shippo_live_" + Self.random(40, hex), "shippo_token"), ("duffel_test_" + Self.random(43), "duffel_token"),
            ("CLOJARS_" + Self.random(60, "abcdefghijklmnopqrstuvwxyz0123456789"), "clojars_token"),
        ]
        for (token, type) in infrastructure {
            #expect(Self.types("here: \(token) thanks") == [type], "\(type)")
        }
        // The prefix alone, a shorter body, or words after it are not tokens.
        for text in [
            "hvs.short", "pul-request merged", "pscale_tkn_your_token_here", "ops_eyJ", "pplx-api-key-goes-here",
            "sha256~abc", "LTAI in the docs", "AKCp" + Self.random(20),
        ] {
            #expect(!Self.categories(text).contains(.secret), "\(text)")
        }
        let pgp =
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + Self.random(64) + "\n=" + Self.random(4) + "\n-----END PGP PRIVATE KEY BLOCK-----"
        #expect(Self.types(pgp) == ["private_key"])
    }

    static let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

    @Test func secretsInEveryConfigurationShape() {
        let key = Self.random(32)
        let password = "Kx7#" + Self.random(8) + "!q"
        let table: [(String, String)] = [
            ("DB_PASSWORD=\(password)", "password"),
            ("export DB_PASSWORD='\(password)'", "password"),
            ("database:\n  password: \(password)\n  host: db", "password"),
            ("{\"dbPassword\": \"\(password)\"}", "password"),
            ("[db]\npassword = \"\(password)\"", "password"),
            ("spring.datasource.password=\(password)", "password"),
            ("'password' => '\(password)',", "password"),
            ("mysql -u root --password=\(password) prod", "password"),
            ("pg_dump --password \(password) app", "password"),
            ("Server=db;Database=app;User Id=sa;Password=\(password);", "password"),
            ("Passwort: \(password)", "password"),
            ("mot de passe : \(password)", "password"),
            ("wachtwoord = \(password)", "password"),
            ("password for root: \(password)", "password"),
            ("DATADOG_API_KEY=\(key)", "generic_secret"),
            ("X-API-Key: \(key)", "generic_secret"),
            ("Authorization: Bearer \(key)", "generic_secret"),
            ("curl --api-key \(key) https://api.internal", "generic_secret"),
            ("clientSecret: \"\(key)\"", "generic_secret"),
            ("api_sleutel = \(key)", "generic_secret"),
            (
                "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=\(Self.random(86))==;EndpointSuffix=core.windows.net",
                "azure_storage_key"
            ),
            ("aws_secret_access_key = \(Self.random(40, Self.alphabet + "/+"))", "aws_secret_access_key"),
        ]
        for (text, type) in table {
            #expect(Self.types(text) == [type], "\(text)")
        }
    }

    @Test func namesAndValuesThatAreNotCredentials() {
        for text in [
            "tokenizer_path=/models/llama-3-8b/tokenizer.json", "credentials_file: /etc/app/creds-2024.json",
            "secret_name: prod-db-password-v2", "SLACK_BOT_TOKEN=xoxb-your-bot-token-here",
            "OPENAI_API_KEY=sk-your-api-key-goes-here-1234567890",
            "api_key = os.environ[\"OPENAI_API_KEY_2\"]", "password = get_password_from_vault(name=\"db-prod-01\")",
            "\"author\": \"jdoe2023-maintainer\"", "token_type: bearer_v2_refreshable", "PASSWORD_RESET_URL=/account/reset-password-2024",
            "secret: ${{ secrets.DEPLOY_KEY_V2 }}", "password: \"{{ vault_db_password_2024 }}\"",
            "api_key: process.env.STRIPE_SECRET_KEY_2",
            "auth: basic realm=intranet-2024", "max_tokens: 4096, next_page_token: CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA3",
            "\"eos_token\": \"</s>\", \"pad_token_id\": 128001", "password = hunter2", "password: changeme123",
            "private_key_id: 3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "password = secret sha256: 62bf34f4b4297ec69922bafa0707fbc453aa085dfe65cebefef27ab9e0743dbf",
        ] {
            #expect(!Self.categories(text).contains(.secret), "\(text) -> \(Self.types(text))")
        }
    }

    @Test func nationalIdentifiersInTheirWrittenVariants() {
        let table: [(String, String)] = [
            ("Rijksregisternummer: 85073003328", "be_national_number"),
            ("Nationale nummer: 850730-033-28", "be_national_number"),
            ("N° de registre national : 85.07.30 033-28", "be_national_number"),
            ("INSZ 85 07 30 033 28", "be_national_number"),
            ("burgerservicenummer: 123 456 782", "nl_bsn"),
            ("Mijn BSN is 12-34-56-782", "nl_bsn"),
            ("BSN 1234.56.782", "nl_bsn"),
            ("NINO: AB 123456 C", "uk_nino"),
            ("NI number AB-12-34-56-C", "uk_nino"),
            ("SSN 536-22-1234", "us_ssn"),
        ]
        for (text, type) in table {
            #expect(Self.types(text) == [type], "\(text)")
        }
        #expect(Self.types("burgerservicenummer: 123 456 783").isEmpty, "11-test fails")
        #expect(Self.types("NINO QQ 12 34 56 A").isEmpty, "QQ is the documented example prefix")
    }

    @Test func datesOfBirthInFourLanguages() {
        for text in [
            "Date of birth: 3 March 1985", "DOB 1985/3/12", "né le 12 mars 1985 à Lyon", "geboren am 3. März 1985 in Köln",
            "Geburtsdatum: 3.3.1985", "geboren op 3 maart 1985", "date de naissance : 12/03/1985", "born on July 4, 1976",
            "DOB: 04-Jul-1976",
        ] {
            #expect(Self.types(text) == ["date_of_birth"], "\(text)")
        }
        for text in ["Released on 12 March 2024 by the platform team", "The meeting is on 05/06/2024 at 10:00"] {
            #expect(Self.types(text).isEmpty, "\(text)")
        }
    }

    @Test func datesOfBirthWithOrdinalsAndLooseSpacing() {
        let table = [
            ("born on March 3rd, 1985", "March 3rd, 1985"), ("date of birth: 3rd of March 1985", "3rd of March 1985"),
            ("DOB: Mar 3 1985", "Mar 3 1985"), ("né le 1er mars 1985", "1er mars 1985"),
            ("Born: the 21st of June 1990", "21st of June 1990"),
            ("DOB: June 21st 1990", "June 21st 1990"), ("fecha de nacimiento: 3 de marzo de 1985", "3 de marzo de 1985"),
            ("nascido em 12 de março de 1985", "12 de março de 1985"), ("nato il 3 marzo 1985", "3 marzo 1985"),
        ]
        for (text, date) in table {
            let found = Detectors.scan(text)
            #expect(found.map(\.type) == ["date_of_birth"], "\(text)")
            #expect(found.first.map { String(text.unicodeScalars.dropFirst($0.start).prefix($0.end - $0.start)) } == date, "\(text)")
        }
        for text in [
            "the meeting on March 3rd, 1985 was long", "released March 3 1985", "order 3rd of March 2024 shipped",
            "birthday: 32nd of March 1985", "in 2019 we had 3 1985 units", "publicado el 3 de marzo de 2024",
        ] {
            #expect(Self.types(text).isEmpty, "\(text)")
        }
    }

    @Test func paymentCardsByNetworkGroupingAndContext() {
        #expect(Self.types("card 4539 1488 0343 6467") == ["payment_card"])
        #expect(Self.types("Amex 3782 822463 10005").isEmpty, "a documented test number")
        for text in [
            "Test card 4242 4242 4242 4242 exp 12/34", "Use 4111111111111111 for Visa in the sandbox", "card 5105105105105100",
            "Order number: 4539 1488 0343 6467 shipped", "EAN 4006381333931 Stift", "ISBN 978-3-16-148410-0",
            "| SKU | EAN | qty |\n|---|---|---|\n| A-12 | 5901234123457 | 3 |", "assert luhn(\"4539148803436467\")",
            "order_id,amount\n4539148803436467,12.50\n", "4539 14880 3436 467",
        ] {
            #expect(!Self.types(text).contains("payment_card"), "\(text)")
        }
        #expect(Self.types("name;card_number\nJan;4539148803436467\n") == ["payment_card"], "the header says card")
    }

    @Test func phonesNeedATrunkAndAreaGroup() {
        #expect(Self.types("bel 06 12 34 56 78") == ["phone"])
        #expect(Self.types("queue 0 12 34 56 78 items").isEmpty)
        #expect(Self.types("SSN 078-05-1120 was on wallet inserts").isEmpty, "not a phone either")
        // Without a trunk 0 (Spain, Italy, Portugal): only after a phone label.
        for text in ["móvil: 612 34 56 78", "cellulare 347 123 4567", "telemóvel: 912 345 678"] {
            #expect(Self.types(text) == ["phone"], "\(text)")
        }
        for text in ["order 612 34 56 78 shipped", "ref 123 456 789", "total 912 345 678 rows"] {
            #expect(Self.types(text).isEmpty, "\(text)")
        }
        // An address block's label after the number; ten digits in one run only with a label.
        for text in ["7828171196 fax", "0477699153 office", "06 95 11 89 51 (mobile)", "Tel: 7828171196"] {
            #expect(Self.types(text) == ["phone"], "\(text)")
        }
        #expect(Detectors.scan("Call 06 95 11 89 51 (mobile)").map { $0.end - $0.start } == [14], "not the space before the bracket")
        for text in ["Order 7828171196 shipped", "0477699153 items in stock", "id 7828171196 homework", "7828171196 offices"] {
            #expect(Self.types(text).isEmpty, "\(text)")
        }
        // A phone's shape labelled as an order, a parcel or a file is that; a phone word as close wins.
        for text in ["Ordernummer: 06 12 34 56 78", "Tracking: 1Z 999 AA1 01 2345 6784", "Référence dossier : 01 23 45 67 89"] {
            #expect(Self.types(text).isEmpty, "\(text)")
        }
        #expect(Self.types("Order questions: call 06 12 34 56 78") == ["phone"])
    }

    @Test func documentedExampleIBANsAreNotAccounts() {
        for text in ["IBAN DE89 3704 0044 0532 0130 00", "e.g. GB82WEST12345698765432", "NL91ABNA0417164300 (example)"] {
            #expect(Self.types(text).isEmpty, "\(text)")
        }
        #expect(Self.types("IBAN DE75 5121 0800 1245 1261 99 and NL20 INGB 0001 2345 67").isEmpty)
        #expect(Self.types("IBAN NL95 RABO 0312 8745 61 of the client, BE76 5390 0754 7181") == ["iban", "iban"])
    }

    @Test func anAreaCodeAndASlashWithSpaces() {
        for text in ["Telefon: 0221 / 123 45 67", "Tel: 09/ 347 47 95", "tel 02 /123 45 67"] {
            #expect(Self.types(text) == ["phone"], "\(text)")
        }
        // Only after the first group, only before digits: dates, ratios and paths stay what they are.
        for text in ["on 12 / 05 / 2024", "resolution 1920 / 1080", "ratio 16 / 9", "see pages 120 / 121", "cd 0221 / tmp"] {
            #expect(!Self.types(text).contains("phone"), "\(text) -> \(Self.types(text))")
        }
    }
}

extension DetectionCoverageTests {
    @Test func passwordsWrittenInProseAndMarkup() {
        for text in [
            "my password is 237dg546fs9", "mijn wachtwoord is Welkom2024!", "mon mot de passe est Azerty!2023.",
            "mein Passwort lautet Gehe1m!Wort", "Password IhqSb1Gg", "<password>IhqSb1Gg</password>", "<PW>IhqSb1Gg</PW>",
            "gpg --passphrase N1DdkUD3E73 --output x.txt", "-Domain 'localhost' -Password 'Sjdn43ss@!'",
            "curl -X PUT -u \"admin:dG9rZW4g\" https://127.0.0.1", "ssh host (password:IhqSb1Gg)",
        ] {
            #expect(Self.types(text) == ["password"], "\(text)")
        }
        for text in [
            "the password is incorrect", "Reset your password reset-2024 link", "password reset link sent", "Das Kennwort ist abgelaufen",
            "class PasswordField2 extends Base", "curl -u \"$USER:$PASSWORD\" https://127.0.0.1", "upward trend in PW usage",
        ] {
            #expect(!Self.categories(text).contains(.secret), "\(text) -> \(Self.types(text))")
        }
        let swarm =
            "SWMTKN-1-" + Self.random(50, "abcdefghijklmnopqrstuvwxyz0123456789") + "-"
            + Self.random(25, "abcdefghijklmnopqrstuvwxyz0123456789")
        #expect(Self.types("docker swarm join --token \(swarm) manager:2377") == ["docker_swarm_token"])
    }
}

extension DetectionCoverageTests {
    @Test func everyFindingSaysWhyAndHowSure() {
        let token = "ghp_" + Self.random(36)
        let text = "use \(token) and DB_PASSWORD=Kx7#abcdefgh!q"
        let findings = Detectors.scan(text)
        #expect(findings.map(\.type) == ["github_token", "password"])
        let scalars = Array(text.unicodeScalars)
        let explained = findings.map { finding in
            FindingExplanation.explain(finding, value: Substring(String(String.UnicodeScalarView(scalars[finding.start..<finding.end]))))
        }
        #expect(explained[0].confidence == .high && explained[0].reason.contains("ghp_"))
        #expect(explained[1].confidence == .medium && explained[1].reason.hasPrefix("password"))
        for type in DetectorCatalog.secretTypes + DetectorCatalog.personalDataTypes {
            let finding = Finding(type: type, category: DetectorCatalog.category(of: type) ?? .secret, start: 0, end: 1)
            #expect(!FindingExplanation.explain(finding, value: "x").reason.hasPrefix("built-in rule"), "\(type) has its own reason")
        }
    }
}

extension DetectionCoverageTests {
    /// What scanning documentation, licences, test suites and configuration on a Debian host
    /// turned up: each the class of a false alarm, not a sample of it.
    @Test func falseAlarmsFoundInRealFiles() {
        for text in [
            "Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA", "yaml.load(\"phone: 0123456789\")",
            "self.assertEqual(format(1234, \"+b\"), \"+10011010010\")", "phoneNumber: 206-555-1111",
            "ssn : 111-22-3333", "+ 4828147466240000*t**16 + 14633730048000000*t**14",
            "ciphertext = 4b 7d 9d 06 09 53 74 88 34", "pd.to_datetime([\"01/10/2010 15:20\"])", "Biometrics, 34, 469-474 (1978).",
            "d=\"M6 .278a.77.77 0 0 1 .08.858 7.2 7.2 0 0 0\"",
        ] {
            #expect(!Self.categories(text).contains(.pii), "\(text) -> \(Self.types(text))")
        }
        for text in [
            "\"ClientToken\": \"4752b573-40a6-4eac-a8a4-a72058761219\"", "def encode_private(self, private_key: PKCS7PrivateKeyTypes)",
            "\"oauth_token_secret=secret%3Dpassword\"", "SecretArn=\"arn:aws:secretsmanager:us-west-2:123456789123:secret:proxy-1234\"",
            "authinfo user Name|pass Password|generic", "# FIXME: how to pass inline=False here", "\"userId\": \"AIDAJ3LOROMOUXTBSU6EX\"",
            "_SK_START = b\"-----BEGIN OPENSSH PRIVATE KEY-----\"\n_SK_END = b\"-----END OPENSSH PRIVATE KEY-----\"",
            "\"http://userid:password@example.com\"", "uri = \"postgresql://postgres:postgres@localhost/test\"",
            "class User:\n    password: SecretBytes", "PassStateEntered = \"PassStateEntered\"",
            "def route(self, domain_name_arn: PassThrough, rest_api: ApiGatewayRestApi)", "Pass `--full-trace` to see them",
            "\"AWS::IAM::AccessKey\": \"62d91b17309e76c8\"", "OID = ExtensionOID.PRIVATE_KEY_USAGE_PERIOD",
        ] {
            #expect(!Self.categories(text).contains(.secret), "\(text) -> \(Self.types(text))")
        }
        #expect(Self.types("name,card_number,amount\nJan,4539148803436467,12.50\n") == ["payment_card"], "a CSV card column")
        #expect(Self.types("call (415) 867-5309 tomorrow") == ["phone"])
    }
}
