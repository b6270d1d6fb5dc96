import Governance
import TestFixtures
import Testing

@testable import Detection

/// Credentials in the shapes people write them outside configuration files: a value written
/// twice, a command line's short `-p`, an Azure SAS URL, a password phrase with words between
/// the word and the value, `user/password` pairs after a host or a label. Values come from a
/// fixed seed; every positive has look-alikes next to it that must stay silent.
@Suite struct CredentialShapesTests {
    static let password = "Qm7" + SeededText.random(6, "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ", seed: 11) + "#4"

    static func secrets(_ text: String) -> [String] {
        Detectors.scan(text).filter { $0.category == .secret }.map {
            String(text.unicodeScalars.dropFirst($0.start).prefix($0.end - $0.start))
        }
    }

    @Test func aValueFoundOnceIsFoundWhereverItIsWrittenAgain() {
        let value = Self.password
        #expect(Self.secrets("Passwd: \(value) \(value)") == [value, value])
        #expect(Self.secrets("backup notes\nroot/\(value), root password: \(value)") == [value, value])
        // In a long text, across a window's end: the assignment ends the first 1 KiB window, the
        // repeat on the next line starts the second (which sees no name of its own).
        let filler = "filler line of plain log text..\n"
        let long =
            String(repeating: filler, count: 32) + "DB_PASSWORD=\(value)\nagain \(value) here\n" + String(repeating: filler, count: 3000)
        for size in [1024, Int.max] {
            #expect(Detectors.standard.scan(long, windowSize: size).filter { $0.category == .secret }.count == 2, "\(size)")
        }
        // Not inside a longer token, and not a value that is only words.
        #expect(Self.secrets("password=\(value)\nid=x\(value)9").count == 1)
        #expect(Self.secrets("jmx.password.toHashes = true|false\nssl = true|false").count <= 1)
    }

    @Test func aCredentialSetByACommandThatTakesNameAndValueAsTwoWords() {
        let key = "Qx7vR2mK9pL4sT8wN3bY6hJ1cF5gD0aZ2eU7iO9k"
        let token = "4f9d2a7c1e8b3f6a0d5c9e2b7a4f1d8c6e3b0a95"
        let password = Self.password
        #expect(Self.secrets("aws configure set aws_secret_access_key \(key)") == [key])
        #expect(Self.secrets("aws configure set aws_secret_access_key \(key) --profile prod") == [key])
        #expect(Self.secrets("npm config set //registry.example.com/:_authToken \(token)") == [token])
        #expect(Self.secrets("dotnet user-secrets set \"Stripe:SecretKey\" \"\(token)\"") == [token])
        #expect(Self.secrets("setx API_TOKEN \(token)") == [token])
        #expect(Self.secrets("set -gx API_TOKEN \(token)") == [token])
        #expect(Self.secrets("run `launchctl setenv SERVICE_SECRET \(token)` once") == [token])
        #expect(Self.secrets("yarn config set npmAuthToken \(token)") == [token])
        #expect(Self.secrets("set -x DB_PASSWORD '\(password)'") == [password])
        // Settings that are not credentials, prose, flags and assignments read elsewhere.
        for text in [
            "aws configure set region eu-west-1", "aws configure set aws_access_key_id_file ~/.aws/id",
            "git config --global user.name Jane", "npm config set registry https://registry.example.com/",
            "config set token_expiry 3600", "set password to expire in 90 days", "Please set the token in the vault.",
            "reset token \(token)", "set -x PATH /usr/local/bin $PATH", "config set password $REDIS_PASSWORD",
            "git config credential.helper store", "setx API_TOKEN %API_TOKEN%", "set secret_key --from-file key.pem",
        ] {
            #expect(Self.secrets(text).isEmpty, "\(text)")
        }
    }

    /// `P/W:`, password's abbreviation with a slash; `TCP/W:` and a ratio are not.
    @Test func aPasswordLabelledPSlashW() {
        let password = Self.password
        #expect(Self.secrets("server db01\nP/W: \(password)") == [password])
        #expect(Self.secrets("login admin, p/w:\(password)") == [password])
        #expect(Self.secrets("TCP/W: \(password)").isEmpty)
        #expect(Self.secrets("p/w: 1/2 ratio").isEmpty)
    }

    @Test func aShortPasswordFlagOnlyWhereTheToolTakesOne() {
        let value = Self.password
        let found = [
            "mysql -h db.internal -u root -p\(value) app", "mysqldump -uroot -p'\(value)' app", "sshpass -p '\(value)' ssh deploy@host",
            "docker login -u admin -p \(value) registry.internal", "oc login -u dev -p \(value) https://api.cluster:6443",
        ]
        for text in found { #expect(Self.secrets(text) == [value], "\(text)") }
        let silent = [
            "mysql -u root -p app_database2", "docker run -u 1000 -p 8080:8080 nginx", "ssh -p 2222 deploy@host",
            "tar -cpf archive2024.tar ./dir", "kubectl port-forward -p podname2 8080", "python -m pytest -p no:cacheprovider -u x",
        ]
        for text in silent { #expect(Self.secrets(text).isEmpty, "\(text)") }
    }

    @Test func anAzureSharedAccessSignatureAndAPasswordWithoutAUser() {
        let signature = SeededText.random(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", seed: 5) + "%3D"
        let url = "https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&sp=r&se=2026-12-31T00:00:00Z&sig=\(signature)"
        #expect(Detectors.scan(url).map(\.type) == ["azure_sas_token"])
        #expect(Self.secrets(url) == [signature])
        #expect(Self.secrets("https://example.com/page?id=7&sig=\(signature)").isEmpty)
        #expect(Self.secrets("redis://:\(Self.password)@cache.internal:6379/0") == [Self.password])
        #expect(Self.secrets("cvs://:pserver:anoncvs@sources.redhat.com:/cvs/src").isEmpty)
    }

    @Test func aPasswordPhraseWithWordsBetweenTheWordAndTheValue() {
        let value = Self.password
        let found = [
            "the password for the staging server is \(value)", "Le mot de passe du serveur est \(value)",
            "Das Kennwort für den Admin: \(value)", "Het wachtwoord voor de database is \(value)",
            "pasword: \(value)", "passwords: \(value)", "la contraseña del servidor es \(value)", "DB_CONTRASENA=\(value)",
            "senha: \(value)", "la password del server è \(value)", "lösenord: \(value)", "hasło: \(value)",
            "A senha é \(value)", "Le mot de passe de l'admin est \(value)", "le mot de passe d'accès est \(value)",
        ]
        for text in found { #expect(Self.secrets(text) == [value], "\(text)") }
        let silent = [
            "the password policy for admins is Strict2024!", "password reset for the team is Monday-10am",
            "the password for the account is 12 characters long", "password strength: Level3-high",
            "o senhor Silva tem Verao#2024x", "enhance the throughput by Xq7!mP2#vL9z",
        ]
        for text in silent { #expect(Self.secrets(text).isEmpty, "\(text)") }
    }

    @Test func aPasswordWrittenBeforeItsWord() {
        let value = Self.password
        for text in [
            "\(value) is the password", "\(value) is my new password", "\(value) est le mot de passe", "\(value) ist das Passwort",
            "\(value) is het wachtwoord", "\(value) is the password for root",
        ] {
            #expect(Self.secrets(text) == [value], "\(text)")
        }
        for text in ["this is the password reset page", "Version2.0 is the password manager", "Settings2 is the password field"] {
            #expect(Self.secrets(text).isEmpty, "\(text)")
        }
    }

    @Test func aUserAndPasswordPairAfterAHostOrALabel() {
        let value = Self.password
        let found = [
            "10.2.3.4 (admin/\(value))", "ssh deploy@10.2.3.4 then root/\(value)", "db01.internal --> ops@db01 (ops/\(value), other)",
            "ID/Pass: admin/\(value)", "login/password-admin/\(value)", "(ID&PWD):admin/\(value)",
        ]
        // `ID/Pass: admin/…` is also an assignment to `Pass`, whose finding takes the user along.
        for text in found { #expect(Self.secrets(text).count == 1 && Self.secrets(text)[0].hasSuffix(value), "\(text)") }
        let silent = [
            "ssh me@host then read docs/Setup2Guide", "10.0.0.1 (eth0/Ubuntu22)", "git clone git@github.com:org/Repo2Name",
            "mail me@example.org payload Li3/RbbCM52t3JRMqAL4fBSMGs2aTEkwpQmn3S1v", "10.2.3.4 serves src/app/main.swift",
            "see https://10.2.3.4/api/v2Beta3/x", "pass the path build/Release-x64 along",
        ]
        for text in silent { #expect(Self.secrets(text).isEmpty, "\(text)") }
    }

    @Test func aPasswordInBracketsAndTheSentenceAroundAWord() {
        let value = Self.password
        for text in ["PASSWORD(\(value))", "set password(\(value)) for root", "(ID)master/(PW)\(value)"] {
            #expect(Self.secrets(text) == [value], "\(text)")
        }
        // A call in code passes a variable; a sentence's `?` or `!` is not a symbol of a password.
        let silent = [
            "check_password(user_input1)", "user.password(userInput_1)", "password(see vault) later", "Password forgotten? Click here.",
            "Passwort vergessen? Klicken Sie hier.", "Passwort zurücksetzen", "The password is incorrect!",
            "Wachtwoord vergeten? Klik hier.",
        ]
        for text in silent { #expect(Self.secrets(text).isEmpty, "\(text)") }
        #expect(Self.secrets("the password is Sommer2024!") == ["Sommer2024!"], "a password may end in `!`")
    }

    @Test func licenceKeysAndCloudKeysByTheirNames() {
        let groups = (0..<5).map { SeededText.random(5, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", seed: 40 + UInt64($0)) }
        let key = groups.joined(separator: "-")
        for text in ["Activation key : \(key)", "License Key: \(key)", "product_key=\(key)", "licenseKey: \"\(key)\""] {
            #expect(Self.secrets(text) == [key], "\(text)")
        }
        for text in [
            "License Key: XXXXX-XXXXX-XXXXX-XXXXX", "license_key_format: \(key)", "token: 2024-0312-4567-8901",
            "ticket: ABCD-1234-EFGH-5678 done", "serial number \(key) on the label",
        ] {
            #expect(Self.secrets(text).isEmpty, "\(text)")
        }
        // A name that says AWS secret and 40 characters of base64's alphabet, whatever they spell.
        let aws = "Crackle" + SeededText.random(26, "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789/+", seed: 9) + "AWSkey1"
        #expect(Detectors.scan("\"AwsSecretKey\":\"\(aws)\"").map(\.type) == ["aws_secret_access_key"])
        #expect(Self.secrets("aws_secret_key: see-the-vault-entry-for-production-key-x1").isEmpty)
    }

    @Test func aTwilioSecretWrittenBesideItsSID() {
        let sid = "AC" + SeededText.random(32, "0123456789abcdef", seed: 21)
        let token = SeededText.random(32, "0123456789abcdef", seed: 22)
        let keySID = "SK" + SeededText.random(32, "0123456789abcdef", seed: 23)
        let secret = SeededText.random(30, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz", seed: 24) + "7Q"
        for text in [
            "client = Client(\"\(sid)\", \"\(token)\")", "twilio:\n  sid: \(sid)\n  token: \(token)",
            "{\"accountSid\": \"\(sid)\", \"authToken\": \"\(token)\"}", "curl -u \(sid):\(token) https://api.twilio.com",
        ] {
            #expect(Self.secrets(text).contains(token), "\(text)")
        }
        #expect(Detectors.scan("\(keySID):\(secret)").map(\.type) == ["twilio_api_key", "twilio_api_secret"])
        // Another id after the SID is not its secret.
        #expect(!Detectors.scan("AccountSid \(sid), RequestId \(token)").map(\.type).contains("twilio_auth_token"))
        #expect(!Detectors.scan("\(sid)\n\n\n\(token)").map(\.type).contains("twilio_auth_token"), "two lines away")
    }

    @Test func aCredentialWhoseNameIsAQuotedValue() {
        let value = Self.password
        let key = SeededText.random(40, "0123456789abcdef", seed: 31)
        for (text, secret) in [
            ("<add key=\"DbPassword\" value=\"\(value)\" />", value), ("<property name=\"password\" value=\"\(value)\"/>", value),
            ("<add key=\"ApiKey\" value=\"\(key)\" />", key), ("define('DB_PASSWORD', '\(value)');", value),
            ("setenv(\"DB_PASSWORD\", \"\(value)\")", value), ("ConvertTo-SecureString '\(value)' -AsPlainText -Force", value),
            ("ConvertTo-SecureString -String \"\(value)\" -AsPlainText", value),
        ] {
            #expect(Self.secrets(text) == [secret], "\(text)")
        }
        for text in [
            "<add key=\"PageSize\" value=\"\(value)\" />", "<property name=\"password\" value=\"${db.password}\"/>",
            "t(\"password\", \"Mot de passe\")", "__(\"Password\", \"Kennwort\")", "define('DB_PASSWORD', 'password_here');",
            "$pw = ConvertTo-SecureString -String $env:PW -AsPlainText -Force", "<input name=\"password\" value=\"\" />",
            "METHOD can be \"trust\", \"md5\", \"password\", \"scram-sha-256\"", "('http', 'user/name', 'password', 'localhost:22')",
            "@field_serializer('password', 'password_bytes')",
        ] {
            #expect(Self.secrets(text).isEmpty, "\(text)")
        }
    }
}
