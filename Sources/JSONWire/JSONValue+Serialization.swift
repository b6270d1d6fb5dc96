import CTextScan
package import NIOCore

/// Writes a `JSONValue` as compact JSON straight into a `ByteBuffer`.
///
/// Written by hand because it sits on the streaming hot path: Foundation's `JSONEncoder` goes
/// through `Encodable` boxing and costs more per stream event than the rest of the relay (see
/// bench/). It only serialises (never parses), so it stays small: strings are escaped per
/// RFC 8259 §7, non-finite numbers become `null`.
extension JSONValue {
    package func write(to buffer: inout ByteBuffer) {
        switch self {
        case .null:
            buffer.writeStaticString("null")
        case .bool(let value):
            buffer.writeString(value ? "true" : "false")
        case .int(let value):
            buffer.writeString(String(value))
        case .double(let value):
            if value.isFinite {
                if value == value.rounded(), abs(value) < 1e15 {
                    buffer.writeString(String(Int64(value)))
                } else {
                    buffer.writeString(String(value))
                }
            } else {
                buffer.writeStaticString("null")
            }
        case .string(let value):
            Self.writeString(value, to: &buffer)
        case .array(let values):
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                value.write(to: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let members):
            buffer.writeInteger(UInt8(ascii: "{"))
            var first = true
            for (key, value) in members {
                if !first { buffer.writeInteger(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, to: &buffer)
                buffer.writeInteger(UInt8(ascii: ":"))
                value.write(to: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    package var serialized: ByteBuffer {
        var buffer = ByteBuffer()
        write(to: &buffer)
        return buffer
    }

    package var serializedString: String {
        String(buffer: serialized)
    }

    package static func writeString(_ string: String, to buffer: inout ByteBuffer) {
        var string = string
        string.withUTF8 { writeString(utf8: $0, to: &buffer) }
    }

    /// Writes the bytes as a JSON string: runs that need no escape are found 16 bytes at a
    /// time (``tp_json_plain_prefix``) and copied whole.
    package static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        guard let base = bytes.baseAddress else {
            buffer.writeInteger(UInt8(ascii: "\""))
            return
        }
        var index = 0
        while index < bytes.count {
            let run = tp_json_plain_prefix(base + index, bytes.count - index)
            if run > 0 { buffer.writeBytes(UnsafeRawBufferPointer(start: base + index, count: run)) }
            index += run
            guard index < bytes.count else { break }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x08: buffer.writeStaticString("\\b")
            case 0x0C: buffer.writeStaticString("\\f")
            default:
                buffer.writeStaticString("\\u00")
                buffer.writeInteger(hexDigits[Int(byte >> 4)])
                buffer.writeInteger(hexDigits[Int(byte & 0x0F)])
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
