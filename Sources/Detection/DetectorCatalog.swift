/// Every finding type the built-in detectors report, by category: what a policy may name in
/// `actions`, and what `tappass policy check` validates names against.
package enum DetectorCatalog {
    package static let secretTypes: [String] = {
        var types: [String] = []
        for rule in SecretDetector.rules where !types.contains(rule.type) { types.append(rule.type) }
        return types + [
            "twilio_auth_token", "twilio_api_secret", "aws_secret_access_key", "azure_storage_key", "azure_sas_token", "private_key", "jwt",
            "password_in_url", "password",
            "generic_secret",
        ]
    }()

    /// Each provider token type's documented prefixes, longest first.
    package static let tokenPrefixes: [String: [String]] = Dictionary(
        SecretDetector.rules.map { ($0.type, $0.prefixes) },
        uniquingKeysWith: +
    ).mapValues { $0.sorted { $0.count > $1.count } }

    package static let personalDataTypes: [String] = [
        "email", "phone", "payment_card", "iban", "us_ssn", "be_national_number", "nl_bsn", "uk_nino", "fr_nir",
        "ip_address", "date_of_birth",
    ]

    /// Found by the request walk rather than a detector: `remote_media_url`, an image or document
    /// the host would fetch from elsewhere (the gateway cannot read it); `uninspectable_content`,
    /// a text payload too large to decode and read.
    package static let exfiltrationTypes: [String] = ["exfil_domain", "exfil_keyword", "remote_media_url", "uninspectable_content"]

    /// National identifiers and financial account numbers: what the default policy redacts.
    package static let identifierTypes: Set<String> = [
        "payment_card", "iban", "us_ssn", "be_national_number", "nl_bsn", "uk_nino", "fr_nir",
    ]

    /// The category of a built-in type or of a policy's custom pattern; nil for unknown names.
    package static func category(of type: String, exfiltration: ExfiltrationRules = .init()) -> Finding.Category? {
        if secretTypes.contains(type) { return .secret }
        if personalDataTypes.contains(type) { return .pii }
        if exfiltrationTypes.contains(type) || exfiltration.patterns.contains(where: { $0.name == type }) { return .exfil }
        return nil
    }
}
