/// One thing a detector found: what, where (in Unicode scalars, as `tappass scan` reports),
/// and which family it belongs to. Never the value itself, except to the caller that holds the
/// text anyway.
package struct Finding: Sendable, Equatable, Codable {
    package enum Category: String, Sendable, Codable, CaseIterable {
        case secret, pii, exfil
    }

    /// A stable name: `aws_access_key_id`, `github_token`, `email`, `payment_card`, `iban`, …
    package var type: String
    package var category: Category
    /// Offsets in Unicode scalars, end exclusive.
    package var start: Int
    package var end: Int

    package init(type: String, category: Category, start: Int, end: Int) {
        self.type = type
        self.category = category
        self.start = start
        self.end = end
    }
}
