/// One thing a detector found: what, where (in Unicode scalars, as `tappass scan` reports),
/// and which family it belongs to. Never the value itself, except to the caller that holds the
/// text anyway.
package struct Finding: Sendable, Equatable {
    package enum Category: String, Sendable, CaseIterable {
        case secret, pii, exfil
    }

    /// A stable name: `aws_access_key_id`, `github_token`, `email`, `payment_card`, `iban`, …
    package var type: String
    package var category: Category
    /// Offsets in Unicode scalars, end exclusive.
    package var start: Int
    package var end: Int
    /// The same span in UTF-8 bytes (what redaction cuts by); not part of the reported form.
    package var utf8Range: Range<Int>
    /// Set when the value was found by decoding the text at this span (base64, hex,
    /// percent-encoding): the span is the encoded run, which is what the policy acts on.
    package var encoding: String?

    package init(type: String, category: Category, start: Int, end: Int, utf8Range: Range<Int>? = nil, encoding: String? = nil) {
        self.type = type
        self.category = category
        self.start = start
        self.end = end
        self.utf8Range = utf8Range ?? start..<end
        self.encoding = encoding
    }
}
