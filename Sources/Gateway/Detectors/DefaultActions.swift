/// What the default policy (active until a signed bundle replaces it) does with each finding:
/// secrets, payment cards, national ids and IBANs are redacted; e-mail, phone, IP and dates of
/// birth are flagged; exfiltration destinations are blocked.
package enum DefaultActions {
    package static func action(for finding: Finding) -> String {
        switch finding.category {
        case .secret: "redact"
        case .exfil: "block"
        case .pii:
            ["payment_card", "iban", "us_ssn", "be_national_number", "nl_bsn", "uk_nino", "fr_nir"].contains(finding.type)
                ? "redact" : "flag"
        }
    }
}
