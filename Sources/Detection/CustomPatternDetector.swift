/// The policy's own patterns (`exfiltration.patterns`), as Swift regular expressions. They are
/// the one place the detectors use a regex engine: a customer's pattern cannot be known ahead,
/// and Swift's `Regex` is the standard library's. Only run when a policy defines patterns.
package struct CustomPatternDetector: @unchecked Sendable {
    // `Regex<AnyRegexOutput>` is not declared Sendable; compiled ones are immutable and only matched.
    let patterns: [(name: String, regex: Regex<AnyRegexOutput>)]

    init(_ rules: [ExfiltrationRules.CustomPattern]) {
        patterns = rules.compactMap { rule in (try? Self.compile(rule.regex)).map { (rule.name, $0) } }
    }

    package static func compile(_ source: String) throws -> Regex<AnyRegexOutput> {
        try Regex(source)
    }

    var isEmpty: Bool { patterns.isEmpty }

    func scan(_ text: String) -> [(type: String, range: Range<Int>)] {
        var found: [(type: String, range: Range<Int>)] = []
        let utf8 = text.utf8
        for (name, regex) in patterns {
            for match in text.matches(of: regex) where !match.range.isEmpty {
                let start = utf8.distance(from: utf8.startIndex, to: match.range.lowerBound)
                let end = utf8.distance(from: utf8.startIndex, to: match.range.upperBound)
                found.append((name, start..<end))
            }
        }
        return found
    }
}
