package import NIOCore

/// Parses RFC 8259 JSON into a `JSONValue`.
///
/// Written by hand because it sits on every request's and every stream event's path, and no
/// package in reach parses into a dynamic value quickly: Foundation's `JSONDecoder` has to probe
/// each value's type by catching thrown errors (~90 µs for a 300-byte chat completion here),
/// `JSONSerialization` bridges through `NSNumber`/`NSDictionary` (~35 µs). This is a single
/// pass over the bytes with no intermediate tree. Strict: one top-level value with only
/// whitespace around it, no trailing commas, no comments, no control characters in strings;
/// `\u` escapes with surrogate pairs (a lone surrogate becomes U+FFFD, as does invalid UTF-8);
/// numbers with an integral value that fits `Int64` are integers, others `Double`; a key given
/// twice keeps its last value, as the Python and JavaScript clients and hosts read it (so what
/// governance scans is what they use). Nesting deeper than `maxDepth` is refused.
/// Differential-tested against Foundation (`JSONParsingTests`).
extension JSONValue {
    package struct ParseError: Error, Equatable, CustomStringConvertible {
        /// Byte offset where the input stopped making sense.
        package var offset: Int
        package var reason: String

        package var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    package static func parse(_ buffer: ByteBuffer, maxDepth: Int = 512) throws(ParseError) -> JSONValue {
        let result: Result<JSONValue, ParseError> = buffer.withUnsafeReadableBytes { bytes in
            var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
            do throws(ParseError) { return .success(try parser.document()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    package static func parse(_ text: String, maxDepth: Int = 512) throws(ParseError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, ParseError> = text.withUTF8 { utf8 in
            var parser = JSONParser(bytes: UnsafeRawBufferPointer(utf8), maxDepth: maxDepth)
            do throws(ParseError) { return .success(try parser.document()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

private struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var position = 0
    var depth = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func document() throws(JSONValue.ParseError) -> JSONValue {
        skipSpace()
        let value = try self.value()
        skipSpace()
        guard position == bytes.count else { throw fail("unexpected data after the value") }
        return value
    }

    func fail(_ reason: String) -> JSONValue.ParseError {
        JSONValue.ParseError(offset: position, reason: reason)
    }

    mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func value() throws(JSONValue.ParseError) -> JSONValue {
        guard position < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        default:
            throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONValue.ParseError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end of input") }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] {
            throw fail("invalid literal")
        }
        position += count
    }

    mutating func enter() throws(JSONValue.ParseError) {
        depth += 1
        guard depth <= maxDepth else { throw fail("nested deeper than \(maxDepth) levels") }
    }

    mutating func object() throws(JSONValue.ParseError) -> JSONValue {
        try enter()
        position += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            position += 1
            skipSpace()
            members[key] = try value()
            skipSpace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            position += 1
            depth -= 1
            return .object(members)
        }
    }

    mutating func array() throws(JSONValue.ParseError) -> JSONValue {
        try enter()
        position += 1
        var items: [JSONValue] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            position += 1
            depth -= 1
            return .array(items)
        }
    }

    /// A string token starting at its opening quote; the common case (no escapes) is one copy.
    mutating func string() throws(JSONValue.ParseError) -> String {
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            guard byte >= 0x20 else { throw fail("control character in a string") }
            position += 1
        }
        throw fail("unterminated string")
    }

    mutating func escapedString(from start: Int) throws(JSONValue.ParseError) -> String {
        var utf8: [UInt8] = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw fail("unterminated escape") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): append(scalar: try unicodeEscape(), to: &utf8)
                default: throw fail("invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw fail("control character in a string") }
                utf8.append(byte)
                position += 1
            }
        }
        throw fail("unterminated string")
    }

    /// The scalar of a `\uXXXX` escape (the `\u` already read), joining a surrogate pair.
    mutating func unicodeEscape() throws(JSONValue.ParseError) -> Unicode.Scalar {
        let first = try hex4()
        if (0xD800..<0xDC00).contains(first) {
            if position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                let saved = position
                position += 2
                let second = try hex4()
                if (0xDC00..<0xE000).contains(second) {
                    return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)) ?? "\u{FFFD}"
                }
                position = saved
            }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    mutating func hex4() throws(JSONValue.ParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    func append(scalar: Unicode.Scalar, to utf8: inout [UInt8]) {
        utf8.append(contentsOf: UTF8.encode(scalar)!)
    }

    mutating func number() throws(JSONValue.ParseError) -> JSONValue {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        var integral = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            integral = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if integral, let value = Int64(text) { return .int(value) }
        guard let value = Double(text) else { throw fail("invalid number") }
        // As Foundation reads them: an integral value that fits (`1e3`, `2.0`) is an integer.
        if value == value.rounded(), abs(value) < 9.2e18 { return .int(Int64(value)) }
        return .double(value)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
