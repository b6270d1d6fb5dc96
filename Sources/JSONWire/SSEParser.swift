package import NIOCore

/// Splits a Server-Sent Events byte stream into whole events, however the bytes were chunked.
///
/// Written by hand: the gateway must see event boundaries to relay whole events, inspect
/// `data:` payloads and inject a wire-correct error event between two events; no maintained
/// Swift package parses SSE incrementally from NIO buffers. Pure value type, no I/O.
package struct SSEParser: Sendable {
    package struct Event: Sendable, Equatable {
        /// The event's bytes exactly as received, terminator included, for relaying unchanged.
        package var raw: ByteBuffer
        /// The `event:` field, if any.
        package var name: String?
        /// The `data:` lines joined by newlines; nil for a comment-only event (keep-alive).
        package var data: String?

        package var isComment: Bool { data == nil && name == nil }
    }

    private var pending = ByteBuffer()
    /// Bytes of `pending` already searched for a blank line.
    private var scanned = 0
    package let maxEventBytes: Int

    package init(maxEventBytes: Int = 8 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    package struct EventTooLarge: Error {}

    /// Feeds a chunk; returns the events it completed, in order.
    package mutating func feed(_ chunk: ByteBuffer) throws -> [Event] {
        var chunk = chunk
        pending.writeBuffer(&chunk)
        var events: [Event] = []
        while let end = findEventEnd() {
            let raw = pending.readSlice(length: end)!
            events.append(Self.parse(raw))
            scanned = 0
        }
        if pending.readerIndex > 4096 { pending.discardReadBytes() }
        if pending.readableBytes > maxEventBytes { throw EventTooLarge() }
        return events
    }

    /// Whatever is left when the stream ends without a final blank line.
    package mutating func finish() -> Event? {
        guard pending.readableBytes > 0 else { return nil }
        let raw = pending.readSlice(length: pending.readableBytes)!
        let event = Self.parse(raw)
        return raw.readableBytesView.allSatisfy({ $0 == 0x0A || $0 == 0x0D }) ? nil : event
    }

    /// Length of the first complete event (through its blank line), if one is buffered.
    private mutating func findEventEnd() -> Int? {
        let view = pending.readableBytesView
        let base = view.startIndex
        var index = base + max(0, scanned - 2)
        while index < view.endIndex {
            let byte = view[index]
            if byte == 0x0A || byte == 0x0D {
                // Line end: \n, \r or \r\n. A blank line follows if the next line end is immediate.
                var next = index + 1
                if byte == 0x0D, next < view.endIndex, view[next] == 0x0A { next += 1 }
                if next < view.endIndex {
                    let following = view[next]
                    if following == 0x0A {
                        return next + 1 - base
                    }
                    if following == 0x0D {
                        if next + 1 < view.endIndex {
                            return (view[next + 1] == 0x0A ? next + 2 : next + 1) - base
                        }
                        // "\r" at the very end: wait to see whether "\n" follows.
                        scanned = next - base
                        return nil
                    }
                } else if byte == 0x0D {
                    scanned = index - base
                    return nil
                }
                index = next
            } else {
                index += 1
            }
        }
        scanned = view.endIndex - base
        return nil
    }

    /// Reads the `event:` and `data:` fields of one complete event, working on bytes (every
    /// relayed event passes here, so no intermediate `String` of the whole event is built).
    private static func parse(_ raw: ByteBuffer) -> Event {
        raw.withUnsafeReadableBytes { bytes in
            var name: String?
            var data: String?
            var lineStart = 0
            var index = 0
            func field(_ start: Int, _ end: Int) {
                guard end > start, bytes[start] != UInt8(ascii: ":") else { return }  // blank line or comment
                var colon = start
                while colon < end, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
                var valueStart = min(colon + 1, end)
                if valueStart < end, bytes[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
                let key = UnsafeRawBufferPointer(rebasing: bytes[start..<colon])
                let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<end]), as: UTF8.self)
                if key.elementsEqual("data".utf8) {
                    data = data.map { $0 + "\n" + value } ?? value
                } else if key.elementsEqual("event".utf8) {
                    name = value
                }
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x0A || byte == 0x0D {
                    field(lineStart, index)
                    if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                    lineStart = index + 1
                }
                index += 1
            }
            field(lineStart, bytes.count)
            return Event(raw: raw, name: name, data: data)
        }
    }
}
