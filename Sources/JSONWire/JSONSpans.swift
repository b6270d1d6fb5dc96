/// Where the members of a JSON object and the elements of an array sit in a document's bytes,
/// found without building any value.
///
/// Written by hand for one hot path: the stream output filter reads two or three fields of
/// every chunk a host streams and leaves the rest of the chunk byte for byte as the host wrote
/// it. A JSON parser builds every value (dictionaries, strings) only for them to be thrown
/// away. This walks the structure it is asked about and checks what it walks (strings end,
/// brackets match, a member has a key and a colon); anything it does not understand — a key
/// written with escapes, a malformed document — gives nil, and the caller then uses the full
/// parser (``JSONValue/parse(_:maxDepth:)``).
package struct JSONSpans {
    package let bytes: [UInt8]

    package init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// One member of an object: its key's bytes (between the quotes) and its value's bytes.
    package struct Member {
        package var key: Range<Int>
        package var value: Range<Int>
    }

    /// The first index at or after `index` that is not JSON whitespace.
    package func skipSpace(_ index: Int) -> Int {
        var index = index
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
        return index
    }

    /// The members of the document's top-level object, nil unless the document is one object.
    package func rootMembers() -> [Member]? {
        let start = skipSpace(0)
        guard let (members, end) = object(at: start), skipSpace(end) == bytes.count else { return nil }
        return members
    }

    /// The members of the object whose `{` is at `start`, and the index after its `}`.
    package func object(at start: Int) -> (members: [Member], end: Int)? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else { return nil }
        var members: [Member] = []
        var index = skipSpace(start + 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return (members, index + 1) }
        while true {
            guard let keyEnd = stringEnd(at: index) else { return nil }
            let key = index + 1..<keyEnd - 1
            // A key written with escapes would need decoding to compare: leave it to the parser.
            guard !bytes[key].contains(UInt8(ascii: "\\")) else { return nil }
            index = skipSpace(keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            let valueStart = skipSpace(index + 1)
            guard let valueEnd = valueEnd(at: valueStart) else { return nil }
            members.append(Member(key: key, value: valueStart..<valueEnd))
            index = skipSpace(valueEnd)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return (members, index + 1) }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipSpace(index + 1)
        }
    }

    /// The elements of the array whose `[` is at `start`.
    package func elements(ofArrayAt start: Int) -> [Range<Int>]? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "[") else { return nil }
        var elements: [Range<Int>] = []
        var index = skipSpace(start + 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { return elements }
        while true {
            guard let end = valueEnd(at: index) else { return nil }
            elements.append(index..<end)
            index = skipSpace(end)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return elements }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipSpace(index + 1)
        }
    }

    /// Whether the member's key is written as `name`, byte for byte.
    package func key(_ member: Member, is name: String) -> Bool {
        member.key.count == name.utf8.count && bytes[member.key].elementsEqual(name.utf8)
    }

    /// The value at `range` if it is a string literal, decoded.
    package func string(_ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let inner = range.lowerBound + 1..<range.upperBound - 1
        if !bytes[inner].contains(UInt8(ascii: "\\")) { return String(decoding: bytes[inner], as: UTF8.self) }
        return (try? JSONValue.parse(String(decoding: bytes[range], as: UTF8.self)))?.stringValue
    }

    /// The value at `range` if it is an integer literal.
    package func int(_ range: Range<Int>) -> Int64? {
        Int64(String(decoding: bytes[range], as: UTF8.self))
    }

    package func isNull(_ range: Range<Int>) -> Bool {
        bytes[range].elementsEqual("null".utf8)
    }

    package func isString(_ range: Range<Int>) -> Bool {
        !range.isEmpty && bytes[range.lowerBound] == UInt8(ascii: "\"")
    }

    /// The index after the value starting at `start`, nil when it is not a well-formed value.
    package func valueEnd(at start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(at: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return containerEnd(at: start)
        default:
            // Numbers, true, false, null: up to the next delimiter, checked by their bytes.
            var index = start
            while index < bytes.count, Self.isScalarByte(bytes[index]) { index += 1 }
            return index > start ? index : nil
        }
    }

    /// The index after the closing quote of the string starting at `start`.
    private func stringEnd(at start: Int) -> Int? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "\"") else { return nil }
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            case 0..<0x20: return nil
            default: index += 1
            }
        }
        return nil
    }

    /// The index after the bracket closing the object or array at `start`, brackets matched.
    private func containerEnd(at start: Int) -> Int? {
        var closers: [UInt8] = []
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let end = stringEnd(at: index) else { return nil }
                index = end
                continue
            case UInt8(ascii: "{"):
                closers.append(UInt8(ascii: "}"))
            case UInt8(ascii: "["):
                closers.append(UInt8(ascii: "]"))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard closers.popLast() == byte else { return nil }
                if closers.isEmpty { return index + 1 }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    private static func isScalarByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "E"):
            true
        default:
            false
        }
    }
}
