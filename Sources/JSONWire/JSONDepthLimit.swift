package import NIOCore

/// Refuses JSON nested deeper than a limit before any decoder sees it, so a hostile body cannot
/// exhaust the decoder's stack. A single pass over the bytes that tracks strings and escapes;
/// written by hand because JSON decoders here expose no depth limit.
package enum JSONDepthLimit {
    package static func exceeds(_ buffer: ByteBuffer, maxDepth: Int) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            var depth = 0
            var inString = false
            var escaped = false
            for byte in bytes {
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if depth > maxDepth { return true }
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
            }
            return false
        }
    }
}
