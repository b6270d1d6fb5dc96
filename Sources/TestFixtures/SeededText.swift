/// Deterministic pseudo-random text over an alphabet, for tests that need secret-shaped values:
/// made from a fixed seed, so no real-looking credential sits in the repository.
package enum SeededText {
    package static func random(
        _ count: Int,
        _ alphabet: String = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        seed: UInt64 = 42
    ) -> String {
        var state = seed
        let characters = Array(alphabet)
        return String(
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return characters[Int((state >> 33) % UInt64(characters.count))]
            }
        )
    }

    /// The upper-case base32 alphabet (AWS key ids are drawn from it).
    package static let base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

    /// `value` with `insert` after every fourth character (a key disguised with separators).
    package static func interleaved(_ value: String, _ insert: String) -> String {
        var result = ""
        for (index, character) in value.enumerated() {
            if index > 0, index % 4 == 0 { result += insert }
            result.append(character)
        }
        return result
    }
}
