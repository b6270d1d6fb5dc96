internal import CTextScan

/// Where a byte string stands in a buffer: one search shared by the text views and the detectors.
package enum ByteSearch {
    /// Every offset where `needle` starts in `bytes` (glibc's `memmem`).
    package static func occurrences(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        guard let base = bytes.baseAddress, !needle.isEmpty else { return [] }
        var result: [Int] = []
        var offset = 0
        while offset + needle.count <= bytes.count {
            let hit = tp_find(base + offset, bytes.count - offset, needle, needle.count)
            guard hit >= 0 else { break }
            result.append(offset + hit)
            offset += hit + 1
        }
        return result
    }
}
