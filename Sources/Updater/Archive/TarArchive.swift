/// The ustar subset a policy bundle is: regular files (and directory entries, which carry
/// nothing), read from and written to bytes in memory. Written by hand because no package here
/// reads tar, and a bundle needs less than a general reader does and must refuse more: links,
/// devices, FIFOs, GNU and pax extensions, absolute paths, `..`, duplicate names, deep nesting,
/// too many entries or too many bytes are all refused with the entry's name, before any byte of
/// the archive is used. The writer is deterministic (sorted names, mode 0644, owner 0, time 0),
/// so the same folder always builds the same archive.
package enum TarArchive {
    /// A regular file in the archive.
    package struct Entry: Equatable, Sendable {
        package var path: String
        package var bytes: [UInt8]

        package init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }

    /// Bounds on what an archive may hold.
    package struct Limits: Sendable {
        package var maxEntries = 256
        package var maxTotalBytes = 16 << 20
        package var maxDepth = 4

        package init(maxEntries: Int = 256, maxTotalBytes: Int = 16 << 20, maxDepth: Int = 4) {
            self.maxEntries = maxEntries
            self.maxTotalBytes = maxTotalBytes
            self.maxDepth = maxDepth
        }
    }

    /// Why an archive is refused.
    package struct Problem: Error, Equatable, CustomStringConvertible, Sendable {
        package var description: String

        init(_ description: String) {
            self.description = description
        }
    }

    static let block = 512

    /// The archive's regular files, in archive order.
    package static func read(_ bytes: [UInt8], limits: Limits = Limits()) throws(Problem) -> [Entry] {
        var entries: [Entry] = []
        var names: Set<String> = []
        var total = 0
        var offset = 0
        while true {
            guard offset + block <= bytes.count else { throw Problem("the archive ends inside a header (not a tar archive, or cut short)") }
            let header = Array(bytes[offset..<offset + block])
            if header.allSatisfy({ $0 == 0 }) {
                // The end: zero blocks, and nothing but zeros after them.
                guard bytes[offset...].allSatisfy({ $0 == 0 }) else { throw Problem("bytes after the archive's end") }
                return entries
            }
            guard checksumMatches(header) else {
                throw Problem("a header at byte \(offset) has a wrong checksum (not a tar archive, or damaged)")
            }
            guard header[257..<262].elementsEqual(Array("ustar".utf8)) else { throw Problem("a header at byte \(offset) is not ustar") }
            let path = try entryPath(header)
            let size = try octal(header[124..<136], field: "size of \(path)")
            let type = header[156]
            offset += block
            let padded = (size + block - 1) / block * block
            guard size <= limits.maxTotalBytes, offset + padded <= bytes.count else {
                throw Problem("\(path): the archive ends inside the file (cut short)")
            }
            switch type {
            case UInt8(ascii: "0"), 0:
                try check(path, limits: limits)
                guard names.insert(path).inserted else { throw Problem("\(path): appears twice in the archive") }
                total += size
                guard total <= limits.maxTotalBytes else { throw Problem("more than \(limits.maxTotalBytes) bytes of files") }
                entries.append(Entry(path: path, bytes: Array(bytes[offset..<offset + size])))
                guard entries.count <= limits.maxEntries else { throw Problem("more than \(limits.maxEntries) files") }
            case UInt8(ascii: "5"):
                guard size == 0 else { throw Problem("\(path): a directory entry with content") }
                try check(path.hasSuffix("/") ? String(path.dropLast()) : path, limits: limits)
            default:
                throw Problem("\(path): \(kind(type)), but a bundle holds only regular files")
            }
            offset += padded
        }
    }

    /// A deterministic ustar archive of `entries` (sorted by path), ending in two zero blocks.
    package static func write(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries.sorted(by: { $0.path < $1.path }) {
            var header = [UInt8](repeating: 0, count: block)
            let name = Array(entry.path.utf8)
            if name.count <= 100 {
                header.replaceSubrange(0..<name.count, with: name)
            } else {
                // Split at a slash: up to 155 bytes of prefix, up to 100 of name.
                let cut = name[..<min(name.count, 156)].lastIndex(of: UInt8(ascii: "/")) ?? 0
                let prefix = name[..<cut]
                let rest = name[(cut + 1)...]
                header.replaceSubrange(345..<345 + prefix.count, with: prefix)
                header.replaceSubrange(0..<rest.count, with: rest)
            }
            put(0o644, width: 8, at: 100, in: &header)
            put(0, width: 8, at: 108, in: &header)
            put(0, width: 8, at: 116, in: &header)
            put(entry.bytes.count, width: 12, at: 124, in: &header)
            put(0, width: 12, at: 136, in: &header)
            header[156] = UInt8(ascii: "0")
            header.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
            header.replaceSubrange(263..<265, with: Array("00".utf8))
            header.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
            put(header.reduce(0) { $0 + Int($1) }, width: 7, at: 148, in: &header)
            header[155] = 0x20
            out += header
            out += entry.bytes
            out += [UInt8](repeating: 0, count: (block - entry.bytes.count % block) % block)
        }
        out += [UInt8](repeating: 0, count: 2 * block)
        return out
    }

    /// A relative path of plain names: no leading `/`, no `.` or `..`, no empty part, no
    /// backslash or control character, at most `maxDepth` levels.
    static func check(_ path: String, limits: Limits) throws(Problem) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/") else { throw Problem("\(path): an absolute path") }
        guard !parts.contains(where: { $0 == ".." }) else { throw Problem("\(path): a path that climbs out with '..'") }
        guard !parts.contains(where: { $0.isEmpty || $0 == "." }) else { throw Problem("\(path): an empty or '.' part in the path") }
        guard !path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) else {
            throw Problem("\(path): a control character or backslash in the path")
        }
        guard parts.count <= limits.maxDepth else { throw Problem("\(path): nested deeper than \(limits.maxDepth) levels") }
    }

    private static func entryPath(_ header: [UInt8]) throws(Problem) -> String {
        func field(_ range: Range<Int>) -> [UInt8] { Array(header[range].prefix { $0 != 0 }) }
        let name = field(0..<100)
        let prefix = field(345..<500)
        let bytes = prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name
        guard let path = String(validating: bytes, as: UTF8.self) else { throw Problem("an entry's name is not UTF-8") }
        return path
    }

    private static func octal(_ field: ArraySlice<UInt8>, field name: String) throws(Problem) -> Int {
        let digits = field.drop { $0 == 0x20 }.prefix { $0 != 0 && $0 != 0x20 }
        guard !digits.isEmpty, digits.count <= 11, digits.allSatisfy({ (0x30...0x37).contains($0) }) else {
            throw Problem("\(name): not an octal number")
        }
        return digits.reduce(0) { $0 * 8 + Int($1 - 0x30) }
    }

    private static func checksumMatches(_ header: [UInt8]) -> Bool {
        guard let stored = try? octal(header[148..<156], field: "checksum") else { return false }
        var sum = 0
        for (index, byte) in header.enumerated() { sum += (148..<156).contains(index) ? 0x20 : Int(byte) }
        return sum == stored
    }

    private static func put(_ value: Int, width: Int, at offset: Int, in header: inout [UInt8]) {
        let text = Array(String(value, radix: 8).utf8)
        let digits = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - text.count)) + text
        header.replaceSubrange(offset..<offset + digits.count, with: digits)
    }

    private static func kind(_ type: UInt8) -> String {
        switch type {
        case UInt8(ascii: "1"): "a hard link"
        case UInt8(ascii: "2"): "a symbolic link"
        case UInt8(ascii: "3"), UInt8(ascii: "4"): "a device node"
        case UInt8(ascii: "6"): "a FIFO"
        case UInt8(ascii: "x"), UInt8(ascii: "g"): "a pax extended header"
        case UInt8(ascii: "L"), UInt8(ascii: "K"): "a GNU long name"
        default: "an entry of type '\(String(decoding: [type], as: UTF8.self))'"
        }
    }
}
