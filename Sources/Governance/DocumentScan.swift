import Detection

/// The segments of one body scanned as one document, so a value is judged with what stands
/// around it and no split hides it:
/// - the segments joined in walk order (a key and its string value as `key: value`, everything
///   else on lines of its own), scanned once: a label in one field reaches the value in the
///   next, and a private key block cut over two messages is still one block;
/// - where one conversation segment ends and the next begins without a space on either side,
///   the two token ends joined with nothing between them (`AKIAIOSF` + `ODNN7EXAMPLE`), all
///   such joins scanned together once; only findings across a join count there.
/// Each finding comes back as pieces, one per segment it covers, in the segment's own bytes.
struct DocumentScan {
    struct Located {
        var finding: Finding
        var pieces: [(segment: Int, range: Range<Int>)]
    }

    /// The longest token end joined across a boundary.
    static let joinReach = 256

    static func scan(_ segments: [ContentFields.Segment], detectors: Detectors) -> [Located] {
        var document: [UInt8] = []
        var starts: [Int] = []
        var lengths: [Int] = []
        starts.reserveCapacity(segments.count)
        for (index, segment) in segments.enumerated() {
            if index > 0 {
                let previous = segments[index - 1]
                document += previous.reading == .key && segment.reading != .key ? [0x3A, 0x20] : [0x0A]
            }
            let scanned = segment.scanned
            starts.append(document.count)
            lengths.append(scanned.count)
            document += scanned
        }
        var located: [Located] = []
        for finding in detectors.scan(String(decoding: document, as: UTF8.self)) {
            var pieces = pieces(of: finding.utf8Range, starts: starts, lengths: lengths)
            // `password: hunter2…` found across a key and its value: the value is the secret,
            // the key (a field name) stays.
            if pieces.contains(where: { segments[$0.segment].reading != .key }) {
                pieces.removeAll { segments[$0.segment].reading == .key }
            }
            if !pieces.isEmpty { located.append(Located(finding: finding, pieces: pieces)) }
        }
        located += joins(segments, detectors: detectors, found: located)
        for (index, segment) in segments.enumerated() {
            let type: String
            switch segment.reading {
            case .remoteMedia: type = "remote_media_url"
            case .oversized: type = "uninspectable_content"
            default: continue
            }
            let count = segment.text.utf8.count
            let finding = Finding(type: type, category: .exfil, start: 0, end: count, utf8Range: 0..<count)
            located.append(Located(finding: finding, pieces: [(index, 0..<count)]))
        }
        return located
    }

    /// The parts of a document range that fall in each segment.
    private static func pieces(of range: Range<Int>, starts: [Int], lengths: [Int]) -> [(segment: Int, range: Range<Int>)] {
        // The last segment starting at or before the range.
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= range.lowerBound { low = middle } else { high = middle - 1 }
        }
        var pieces: [(segment: Int, range: Range<Int>)] = []
        var index = low
        while index < starts.count, starts[index] < range.upperBound {
            let lower = max(range.lowerBound, starts[index]) - starts[index]
            let upper = min(range.upperBound, starts[index] + lengths[index]) - starts[index]
            if lower < upper { pieces.append((index, lower..<upper)) }
            index += 1
        }
        return pieces
    }

    /// The length of `bytes` without a character cut off at its end.
    private static func completeLength(_ bytes: [UInt8]) -> Int {
        guard let lead = bytes.lastIndex(where: { $0 & 0xC0 != 0x80 }), bytes[lead] >= 0x80 else { return bytes.count }
        let length = bytes[lead] >= 0xF0 ? 4 : bytes[lead] >= 0xE0 ? 3 : 2
        return lead + length <= bytes.count ? bytes.count : lead
    }

    /// Findings across the joins of consecutive conversation segments.
    /// A join's finding that overlaps one already `found` in either segment is that finding
    /// seen again, not a split value.
    private static func joins(_ segments: [ContentFields.Segment], detectors: Detectors, found: [Located]) -> [Located] {
        struct Join {
            var left: Int
            var right: Int
            /// Where the left segment's tail starts, in its bytes.
            var tailStart: Int
            /// Where the entry starts and the head begins, in the joins text.
            var entry: Int
            var point: Int
        }
        var text: [UInt8] = []
        var joins: [Join] = []
        var previous: Int?
        for (index, segment) in segments.enumerated() where segment.kept && segment.reading == .text {
            defer { previous = index }
            guard let left = previous else { continue }
            let tail = Array(segments[left].text.utf8.suffix(joinReach).reversed().prefix { $0 > 0x20 }.reversed())
            let head = Array(segment.text.utf8.prefix(joinReach).prefix { $0 > 0x20 })
            guard !tail.isEmpty, !head.isEmpty, tail.count + head.count >= 12 else { continue }
            // Whole characters only.
            let tailBytes = tail.drop { $0 & 0xC0 == 0x80 }
            let headBytes = head[..<completeLength(head)]
            let join = Join(
                left: left,
                right: index,
                tailStart: segments[left].text.utf8.count - tailBytes.count,
                entry: text.count,
                point: text.count + tailBytes.count
            )
            text += tailBytes
            text += headBytes
            text.append(0x0A)
            joins.append(join)
        }
        guard !joins.isEmpty else { return [] }
        var located: [Located] = []
        for finding in detectors.scan(String(decoding: text, as: UTF8.self)) {
            let range = finding.utf8Range
            guard let join = joins.last(where: { $0.entry <= range.lowerBound }), range.lowerBound < join.point,
                range.upperBound > join.point
            else { continue }
            let headLength = segments[join.right].text.utf8.count
            let pieces: [(segment: Int, range: Range<Int>)] = [
                (join.left, join.tailStart + range.lowerBound - join.entry..<join.tailStart + join.point - join.entry),
                (join.right, 0..<min(range.upperBound - join.point, headLength)),
            ]
            let seen = found.contains { item in
                item.pieces.contains { old in pieces.contains { $0.segment == old.segment && $0.range.overlaps(old.range) } }
            }
            if !seen { located.append(Located(finding: finding, pieces: pieces)) }
        }
        return located
    }
}
