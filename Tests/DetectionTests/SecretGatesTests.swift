import Testing

@testable import Detection

/// The secret detector's SIMD gate pass (`tp_secret_gates`) against a byte-at-a-time
/// definition, on texts of every length around the 16- and 64-byte block edges.
@Suite struct SecretGatesTests {
    static func reference(_ bytes: [UInt8]) -> (anchors: [Int], flags: [Int]) {
        var anchors: [Int] = []
        var flags: [Int] = []
        for index in 0..<max(0, bytes.count - 1) {
            let first = TextScanner.fold(bytes[index], true)
            let second = TextScanner.fold(bytes[index + 1], true)
            if (first == 0x61 && second == 0x73) || (second == 0x77 && [0x70, 0x74, 0x6E].contains(first)) { anchors.append(index) }
            if bytes[index + 1] == 0x2D, [0x20, 0x09, 0x0A].contains(bytes[index]) { flags.append(index) }
        }
        return (anchors, flags)
    }

    @Test func theGatePassMatchesTheDefinition() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aAsSpPwWtTnN -\n\tx@é".utf8)
        for length in Array(0...150) + [1000, 4099] {
            for _ in 0..<4 {
                let bytes = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
                let gates = SecretGates(bytes)
                let expected = Self.reference(bytes)
                #expect(Array(gates.passwordAnchors) == expected.anchors, "\(bytes)")
                #expect(Array(gates.flagStarts) == expected.flags, "\(bytes)")
            }
        }
    }
}
