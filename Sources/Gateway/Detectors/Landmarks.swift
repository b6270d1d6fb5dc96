/// Where detectors may start, found in one table-driven pass over the text: the starts of words
/// whose first byte begins a token prefix, of capitalised words, of numbers, and every `@`,
/// `:`, `.`, `=`. Ordinary prose has few of these, so the detectors that follow touch little
/// of it; one pass with one table lookup per byte is what keeps scanning near memory speed.
struct Landmarks {
    /// Word starts whose first byte begins a token prefix (`ghp_`, `AKIA`, `sk-`, `https://hooks`, …).
    var prefixStarts: [Int] = []
    /// Word starts with a capital letter (IBANs, NINOs).
    var capitals: [Int] = []
    /// Digits, `+` and `(`, where a number may start (not after another digit).
    var numberStarts: [Int] = []
    var ats: [Int] = []
    var colons: [Int] = []
    var dots: [Int] = []
    /// `=` and `:`, in order (assignments).
    var operators: [Int] = []
    /// No byte above 0x7F: byte offsets are scalar offsets.
    var isASCII = true

    private static let word: UInt16 = 1
    private static let prefix: UInt16 = 2
    private static let capital: UInt16 = 4
    private static let number: UInt16 = 8
    private static let at: UInt16 = 16
    private static let colon: UInt16 = 32
    private static let dot: UInt16 = 64
    private static let equals: UInt16 = 128
    private static let digit: UInt16 = 256
    private static let nonASCII: UInt16 = 512

    private static let classes: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 256)
        for byte in 0..<256 {
            let value = UInt8(byte)
            if TextScanner.isAlnum(value) || value == 0x5F { table[byte] |= word }
            if TextScanner.isUpper(value) { table[byte] |= capital }
            if TextScanner.isDigit(value) { table[byte] |= number | digit }
            if value >= 0x80 { table[byte] |= nonASCII }
        }
        for byte in SecretDetector.rules.flatMap({ $0.prefixes.map { $0.utf8.first! } }) { table[Int(byte)] |= prefix }
        table[0x2B] |= number
        table[0x28] |= number
        table[0x40] |= at
        table[0x3A] |= colon
        table[0x2E] |= dot
        table[0x3D] |= equals
        return table
    }()

    init(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { text in
            Self.classes.withUnsafeBufferPointer { classes in
                var previous: UInt16 = 0
                for index in 0..<text.count {
                    let kind = classes[Int(text[index])]
                    defer { previous = kind }
                    guard kind > Self.word else { continue }
                    let wordStart = previous & Self.word == 0
                    if wordStart {
                        if kind & Self.prefix != 0 { prefixStarts.append(index) }
                        if kind & Self.capital != 0 { capitals.append(index) }
                    }
                    if kind & Self.number != 0, previous & Self.digit == 0 { numberStarts.append(index) }
                    if kind & Self.at != 0 { ats.append(index) }
                    if kind & Self.colon != 0 {
                        colons.append(index)
                        operators.append(index)
                    }
                    if kind & Self.dot != 0 { dots.append(index) }
                    if kind & Self.equals != 0 { operators.append(index) }
                    if kind & Self.nonASCII != 0 { isASCII = false }
                }
            }
        }
    }
}
