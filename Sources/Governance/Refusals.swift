package import Detection

/// A finding the policy blocks, said in governance's terms: which category and type (never the
/// value), on which side, and for a request the field it was found in. The gateway renders it
/// in the caller's wire format.
package struct PolicyBlock: Error, Sendable, Equatable {
    package var category: Finding.Category
    package var type: String
    /// `request` or `response`.
    package var direction: String
    /// The request field that holds the finding (keys that carry one are not repeated).
    package var path: String?

    package init(_ finding: Finding, direction: String, path: String?) {
        self.category = finding.category
        self.type = finding.type
        self.direction = direction
        self.path = direction == "request" ? path : nil
    }

    package var message: String {
        let what = "\(category.rawValue) (\(type))"
        return direction == "request"
            ? "The request was blocked by policy: it contains \(what)\(path.map { " in \($0)" } ?? "")."
            : "The response was blocked by policy: it contains \(what)."
    }
}

/// A key's or team's quota has no room for the request.
package struct QuotaExceeded: Error, Sendable, Equatable {
    package var message: String
    /// Seconds until the window that refused opens again; nil when the request can never fit
    /// (it alone needs more than the limit).
    package var retryAfter: Int64?

    package init(message: String, retryAfter: Int64?) {
        self.message = message
        self.retryAfter = retryAfter
    }
}
