/// The header of the column a value sits in, when the value is a cell of a table written as
/// text: Markdown (`| a | b |`), tab-separated, or CSV with `;` or `,`. A column named `EAN`,
/// `order_id` or `card_number` says what the numbers below it are, however far the header is.
enum TableColumns {
    static let delimiters: [UInt8] = [0x7C, 0x09, 0x3B, 0x2C]
    /// How far up the header may be, in bytes.
    static let reach = 16 * 1024

    /// The header cell (trimmed) above the cell holding `offset`, or nil when `offset` is not in a table's body.
    /// A table is rows with the same number of delimiters (at least one `|` or tab, at least
    /// two `;` or `,`, so prose with a comma is not a table), and a header of names, not numbers.
    static func header(above offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let lineStart = start(ofLineAt: offset, bytes)
        var lineEnd = offset
        while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
        let row = bytes[lineStart..<lineEnd]
        guard lineStart > 0, let delimiter = delimiters.first(where: { row.contains($0) }) else { return nil }
        let width = row.filter { $0 == delimiter }.count
        guard width >= (delimiter == 0x7C || delimiter == 0x09 ? 1 : 2) else { return nil }
        let column = bytes[lineStart..<offset].filter { $0 == delimiter }.count
        // Up through the rows of the same width; the topmost is the header.
        var header: Range<Int>?
        var end = lineStart - 1
        let limit = max(0, offset - reach)
        while end > limit {
            let start = start(ofLineAt: end, bytes)
            let line = bytes[start..<end]
            guard line.filter({ $0 == delimiter }).count == width else { break }
            if !isRule(line) { header = start..<end }
            guard start > 0 else { break }
            end = start - 1
        }
        guard let header else { return nil }
        let cells = Array(bytes[header]).split(separator: delimiter, omittingEmptySubsequences: false)
        guard column < cells.count else { return nil }
        let cell = cells[column]
        let first = cell.firstIndex { $0 != 0x20 && $0 != 0x22 } ?? cell.endIndex
        let last = cell.lastIndex { $0 != 0x20 && $0 != 0x22 && $0 != 0x0D }.map { $0 + 1 } ?? first
        guard first < last, cell[first..<last].contains(where: { TextScanner.isAlnum($0) && !TextScanner.isDigit($0) }) else { return nil }
        return Array(cell[first..<last])
    }

    /// A Markdown separator row: `|---|:---:|`.
    static func isRule(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        line.allSatisfy { $0 == 0x7C || $0 == 0x2D || $0 == 0x3A || $0 == 0x20 || $0 == 0x0D }
    }

    /// The line holding `offset` (at most 200 bytes either side).
    static func line(around offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> ArraySlice<UInt8> {
        var start = offset
        while start > 0, offset - start < 200, bytes[start - 1] != 0x0A { start -= 1 }
        var end = offset
        while end < bytes.count, end - offset < 200, bytes[end] != 0x0A { end += 1 }
        return Array(bytes[start..<end])[...]
    }

    private static func start(ofLineAt offset: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = min(offset, bytes.count)
        while index > 0, bytes[index - 1] != 0x0A { index -= 1 }
        return index
    }

    /// Whether one of `labels` (lower-case) starts a word of `cell`, ASCII case-insensitively.
    static func names(_ cell: [UInt8], _ labels: [[UInt8]]) -> Bool {
        for index in cell.indices where index == 0 || !TextScanner.isAlnum(cell[index - 1]) {
            if labels.contains(where: { TextScanner.startsFolded(cell[index...], with: $0) }) { return true }
        }
        // `order_id`, `cardNumber`: the words of a name written as one.
        let words = SecretName.words(cell[...])
        return words.contains { word in labels.contains { $0.elementsEqual(word.utf8) } }
    }
}
