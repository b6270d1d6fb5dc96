/// Destinations and content the organisation counts as exfiltration.
package struct ExfiltrationRules: Sendable, Equatable {
    /// Domains (a subdomain matches too): paste sites, webhook catchers, file drops.
    package var domains: [String] = []
    /// Words or phrases, matched case-insensitively on word boundaries.
    package var keywords: [String] = []
    /// Custom patterns, each with its own finding type and optional action.
    package var patterns: [CustomPattern] = []

    package init(domains: [String] = [], keywords: [String] = [], patterns: [CustomPattern] = []) {
        self.domains = domains
        self.keywords = keywords
        self.patterns = patterns
    }

    package struct CustomPattern: Sendable, Equatable {
        /// The finding type (`project_codename`); its category is `exfil`.
        package var name: String
        /// The regular expression's source, as written in the policy.
        package var regex: String

        package init(name: String, regex: String) {
            self.name = name
            self.regex = regex
        }
    }
}
