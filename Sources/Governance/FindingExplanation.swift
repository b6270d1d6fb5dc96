package import Detection

/// Why a detector reported a finding, and how sure that evidence is: what `tappass scan
/// --format json` prints as `reason` and `confidence`, so a security team can see the rule
/// behind each finding without reading the code.
///
/// - high: a checksum or a provider's documented format confirms the value (a card's Luhn
///   check and issuer range, an IBAN's mod-97, a token's prefix and shape, a key block);
/// - medium: the value's shape and a name or label around it do (a random value assigned to
///   `DB_PASSWORD`, a date after `DOB`, a phone number's grouping).
package enum FindingExplanation {
    package enum Confidence: String, Sendable {
        case high, medium
    }

    /// The reason and confidence for `finding`, whose value is `value` (the text it covers).
    package static func explain(_ finding: Finding, value: Substring) -> (reason: String, confidence: Confidence) {
        let (reason, confidence) = base(finding.type, category: finding.category, value: value)
        guard let encoding = finding.encoding else { return (reason, confidence) }
        return ("\(reason), found by decoding \(encoding)", confidence)
    }

    private static func base(_ type: String, category: Finding.Category, value: Substring) -> (String, Confidence) {
        if let prefixes = DetectorCatalog.tokenPrefixes[type] {
            let named = prefixes.first { value.hasPrefix($0) }.map { " \($0)" } ?? ""
            return ("provider token: documented prefix\(named) and length", .high)
        }
        switch type {
        case "private_key": return ("private key block (BEGIN … PRIVATE KEY … END)", .high)
        case "jwt": return ("JSON Web Token: three base64url parts, header and payload JSON objects", .high)
        case "password_in_url": return ("password in a URL's user information (scheme://user:password@host)", .high)
        case "password":
            return (
                "password: a name or phrase that says password, and a value shaped like one (not a placeholder, reference or path)", .medium
            )
        case "twilio_auth_token", "twilio_api_secret":
            return ("Twilio secret: 32 characters written right after the account or API key SID it belongs to", .high)
        case "aws_secret_access_key": return ("AWS secret access key: a 40-character random value assigned to an AWS secret name", .medium)
        case "azure_storage_key":
            return ("Azure account or shared access key: a random value assigned to AccountKey/SharedAccessKey", .medium)
        case "azure_sas_token":
            return ("Azure shared access signature: the sig= HMAC of a URL whose query names a service version (sv=)", .high)
        case "generic_secret":
            return ("credential: a name that says secret, token or key, and a random value (entropy, mixed characters)", .medium)
        case "email": return ("e-mail address outside the reserved example domains", .high)
        case "payment_card":
            return ("payment card: issuer range and length of a card network, Luhn check, not a documented test number", .high)
        case "iban": return ("IBAN: country length and ISO 13616 mod-97 check", .high)
        case "us_ssn": return ("US SSN: allocation rules (area, group, serial), written 3-2-4 or labelled", .medium)
        case "be_national_number": return ("Belgian national number: birth date and mod-97 check", .high)
        case "nl_bsn": return ("Dutch BSN: 11-test, after a label", .high)
        case "fr_nir": return ("French NIR: sex, birth month and department, mod-97 key", .high)
        case "uk_nino": return ("UK National Insurance number: allocated prefix and suffix letters", .high)
        case "phone": return ("phone number: international or national numbering shape, or a number after a phone label", .medium)
        case "ip_address": return ("IP address (not a loopback, documentation or version-like number)", .medium)
        case "date_of_birth": return ("date of birth: a valid date after a birth label", .medium)
        case "remote_media_url": return ("media the model host would fetch from a URL the gateway cannot read", .high)
        case "uninspectable_content": return ("content too large to decode and read", .high)
        case "exfil_domain": return ("a destination the policy lists for exfiltration", .high)
        default:
            return category == .exfil ? ("the policy's pattern or keyword", .high) : ("built-in rule for \(type)", .medium)
        }
    }
}
