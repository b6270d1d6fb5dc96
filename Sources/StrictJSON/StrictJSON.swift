package import Foundation

/// The shape rules every signed file (licenses, activation requests, policy bundle manifests and
/// signatures) must meet before any decoder reads it: one JSON value in UTF-8 with no byte-order
/// mark and nothing after it, no object with the same key twice, and at most `maxBytes`. Written
/// by hand because the decoders disagree where JSON is loose (for a duplicate key Foundation's
/// `JSONDecoder` keeps the first, Python's `json` the last), so a file with two `seats` would
/// read differently in the vendor's tools and on the appliance; no JSON package here refuses
/// duplicates. This reads structure only: values are decoded afterwards. A module of its own so
/// that `License` and `Updater` share it and import nothing else of ours.
package enum StrictJSON {
    /// What is wrong with a file, naming it (`what`) and the offset where it is.
    package struct Problem: Error, CustomStringConvertible, Sendable, Equatable {
        package var description: String

        init(_ description: String) {
            self.description = description
        }
    }

    package static func check(_ data: Data, maxBytes: Int, what: String) throws(Problem) {
        guard data.count <= maxBytes else {
            throw Problem("\(what): more than \(maxBytes) bytes, larger than such a file can honestly be")
        }
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { throw Problem("\(what): starts with a byte-order mark") }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.contains(0) {
            throw Problem("\(what): not UTF-8 (UTF-16 or NUL bytes)")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw Problem("\(what): not valid UTF-8") }
        var reader = Reader(bytes: bytes, what: what)
        reader.skipSpace()
        try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.index == bytes.count else {
            throw Problem("\(what): unexpected bytes after the JSON value at offset \(reader.index)")
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        let what: String
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        func fail(_ expected: String) -> Problem {
            Problem("\(what): not valid JSON at offset \(index): expected \(expected)")
        }

        mutating func value(depth: Int) throws(Problem) {
            guard depth < 32 else { throw fail("at most 32 levels of nesting") }
            guard index < bytes.count else { throw fail("a value") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): _ = try string()
            default: try scalar()
            }
        }

        mutating func object(depth: Int) throws(Problem) {
            index += 1
            var keys: Set<[UInt8]> = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("a key") }
                let keyStart = index
                let key = try string()
                guard keys.insert(key).inserted else {
                    index = keyStart
                    throw Problem(
                        "\(what): the key \(String(decoding: key, as: UTF8.self)) appears twice in one object (offset \(keyStart))"
                    )
                }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("':'") }
                index += 1
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw fail("',' or '}'") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "}") else { throw fail("',' or '}'") }
                index += 1
                return
            }
        }

        mutating func array(depth: Int) throws(Problem) {
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw fail("',' or ']'") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "]") else { throw fail("',' or ']'") }
                index += 1
                return
            }
        }

        /// A string's value (escapes decoded, so `"seats"` and `"\u0073eats"` are the same key).
        mutating func string() throws(Problem) -> [UInt8] {
            index += 1
            var decoded: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return decoded
                }
                guard byte >= 0x20 else { throw fail("no control character inside a string") }
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.count else { throw fail("an escape") }
                    let escaped = bytes[index + 1]
                    switch escaped {
                    case UInt8(ascii: "u"):
                        guard index + 6 <= bytes.count,
                            let scalar = UInt32(String(decoding: bytes[index + 2..<index + 6], as: UTF8.self), radix: 16)
                        else { throw fail("four hex digits after \\u") }
                        decoded += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                        index += 6
                        continue
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
                    case UInt8(ascii: "b"): decoded.append(0x08)
                    case UInt8(ascii: "f"): decoded.append(0x0C)
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    default: throw fail("a valid escape")
                    }
                    index += 2
                    continue
                }
                decoded.append(byte)
                index += 1
            }
            throw fail("the end of a string")
        }

        mutating func scalar() throws(Problem) {
            let start = index
            while index < bytes.count, !(",]} \t\r\n".utf8.contains(bytes[index])) { index += 1 }
            let token = String(decoding: bytes[start..<index], as: UTF8.self)
            guard ["true", "false", "null"].contains(token) || Double(token) != nil, !token.isEmpty else {
                index = start
                throw fail("a value")
            }
        }
    }
}
