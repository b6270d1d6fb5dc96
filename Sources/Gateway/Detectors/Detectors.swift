/// All detectors over one text: secrets first (a token inside a URL or assignment is reported
/// once, as the most specific thing it is), then personal data outside what was already found.
/// Offsets are in Unicode scalars. Pure and I/O-free.
package enum Detectors {
    package static func scan(_ text: String) -> [Finding] {
        let scanner = TextScanner(text)
        var byteFindings: [(type: String, category: Finding.Category, range: Range<Int>)] = []
        var taken = TextScanner.Coverage(count: scanner.bytes.count)
        for secret in SecretDetector().scan(scanner) {
            byteFindings.append((secret.type, .secret, secret.range))
            taken.take(secret.range)
        }
        for personal in PersonalDataDetector().scan(scanner) where taken.isFree(personal.range) {
            byteFindings.append((personal.type, .pii, personal.range))
        }
        let offsets = scanner.scalarOffsets(byteFindings.flatMap { [$0.range.lowerBound, $0.range.upperBound] })
        return byteFindings.sorted { $0.range.lowerBound < $1.range.lowerBound }.map {
            Finding(type: $0.type, category: $0.category, start: offsets[$0.range.lowerBound]!, end: offsets[$0.range.upperBound]!)
        }
    }
}
