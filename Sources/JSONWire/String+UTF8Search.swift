extension StringProtocol {
    /// Whether `needle` occurs in the string, comparing UTF-8 bytes in place. On the per-chunk
    /// stream path this replaces `contains(_:)`, which Foundation serves through `CFStringFind`
    /// on UTF-16 (profiled at about a millisecond per streamed response). Inlinable: called
    /// from other modules per stream chunk, it must be specialised there, not dispatched.
    @inlinable
    package func containsUTF8(_ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { pattern in
            if let found = utf8.withContiguousStorageIfAvailable({ Self.search($0, for: pattern) }) { return found }
            return Array(utf8).withUnsafeBufferPointer { Self.search($0, for: pattern) }
        }
    }

    @usableFromInline
    static func search(_ haystack: UnsafeBufferPointer<UInt8>, for pattern: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = pattern.first else { return true }
        guard haystack.count >= pattern.count else { return false }
        var index = 0
        while index <= haystack.count - pattern.count {
            if haystack[index] == first {
                var offset = 1
                while offset < pattern.count && haystack[index + offset] == pattern[offset] { offset += 1 }
                if offset == pattern.count { return true }
            }
            index += 1
        }
        return false
    }
}
